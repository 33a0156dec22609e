package web

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/gin-gonic/gin"
)

// Gin context keys of a request's id and of the message of its error.
const (
	ctxRequestID = "minsheng.request_id"
	ctxError     = "minsheng.error"
)

// withRequestID gives every request an id of its own, sent as the
// X-Request-Id header of every response and logged with every error, so
// that a 500 (whose body says no more than "internal error") can be
// found in the log. An incoming X-Request-Id is not believed: anyone
// could send one.
func withRequestID(c *gin.Context) {
	var b [8]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	id := hex.EncodeToString(b[:])
	c.Set(ctxRequestID, id)
	c.Header("X-Request-Id", id)
	c.Next()
}

// requestID returns the id of the request.
func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

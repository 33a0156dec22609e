// Package wal is the write-ahead log of live documents: every change made
// through the API is appended to it as one checksummed record per request
// and fsynced before the change is acknowledged. The log is replayed on
// top of the sources by every build and onto the served generation at
// start-up, and folded into a compact snapshot of each document's last
// state (with its history) once a generation holding it is current.
//
// Layout under the data folder:
//
//	DATA/wal/wal.lock            held (flock) by the one process that appends
//	DATA/wal/snapshot            folded state: a header record, then one record per document
//	DATA/wal/log-SEQ             records after the snapshot, SEQ the first one's sequence number
//
// A record on disk is a frame: its length and CRC-32C (Castagnoli) as two
// little-endian uint32, then its JSON. A frame cut short or failing its
// checksum at the end of the log is a write the crash interrupted: it was
// never acknowledged, so it is dropped.
//
//	log, err := wal.Open(dir, logger)
//	rec, err := log.Append(wal.Record{Token: "editor", Changes: changes})
package wal

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"time"

	"minsheng/corpus"
)

// Results of a change, as the API reports them.
const (
	Created = "created"
	Updated = "updated"
	Deleted = "deleted"
)

// Change is what one request did to one document.
type Change struct {
	ID      string      `json:"id"`
	Result  string      `json:"result"`        // Created, Updated or Deleted
	Version int64       `json:"version"`       // the document's version after the change
	Doc     *corpus.Doc `json:"doc,omitempty"` // the whole document after it; nil when deleted
	Changed []string    `json:"changed,omitempty"`
}

// Record is one acknowledged request: every change in it is durable
// together or not at all.
type Record struct {
	Seq     uint64    `json:"seq"`   // assigned by Append, increasing from 1
	Time    time.Time `json:"time"`  // assigned by Append
	Token   string    `json:"token"` // name of the token that made it ("admin", "editor")
	Changes []Change  `json:"changes"`
}

// Version is one entry of a document's history.
type Version struct {
	Version int64     `json:"version"`
	Seq     uint64    `json:"seq"`
	Time    time.Time `json:"time"`
	Token   string    `json:"token"`
	Result  string    `json:"result"`
	Changed []string  `json:"changed,omitempty"`
}

// Entry is the last state of one document changed through the log. An
// Entry is never modified once made: a new change makes a new one.
type Entry struct {
	ID      string      `json:"id"`
	Seq     uint64      `json:"seq"`  // of the last change
	Time    time.Time   `json:"time"` // of the last change
	Version int64       `json:"version"`
	Deleted bool        `json:"deleted,omitempty"`
	Doc     *corpus.Doc `json:"doc,omitempty"` // nil when deleted
	History []Version   `json:"history"`
}

// State is every document changed through the log, by id, and the
// sequence number of the last record in it.
type State struct {
	Seq     uint64
	Entries map[string]*Entry
}

// apply adds a record's changes to the state.
func (s *State) apply(r *Record) {
	for _, c := range r.Changes {
		prev := s.Entries[c.ID]
		e := &Entry{ID: c.ID, Seq: r.Seq, Time: r.Time, Version: c.Version,
			Deleted: c.Result == Deleted, Doc: c.Doc}
		v := Version{Version: c.Version, Seq: r.Seq, Time: r.Time, Token: r.Token, Result: c.Result, Changed: c.Changed}
		if prev != nil {
			e.History = make([]Version, len(prev.History), len(prev.History)+1)
			copy(e.History, prev.History)
		}
		e.History = append(e.History, v)
		s.Entries[c.ID] = e
	}
	s.Seq = max(s.Seq, r.Seq)
}

// Since returns the entries whose last change is after seq.
func (s *State) Since(seq uint64) []*Entry {
	var out []*Entry
	for _, e := range s.Entries {
		if e.Seq > seq {
			out = append(out, e)
		}
	}
	return out
}

const (
	frameHeader = 8
	maxFrame    = 1 << 30 // a larger length is a torn or corrupt header
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errTorn is a frame cut short or failing its checksum.
var errTorn = errors.New("torn or corrupt record")

// appendFrame appends v's frame to buf.
func appendFrame(buf []byte, v any) ([]byte, error) {
	js, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var h [frameHeader]byte
	binary.LittleEndian.PutUint32(h[:4], uint32(len(js)))
	binary.LittleEndian.PutUint32(h[4:], crc32.Checksum(js, castagnoli))
	return append(append(buf, h[:]...), js...), nil
}

// readFrame reads one frame's payload: io.EOF at a clean end, errTorn for
// a frame cut short or failing its checksum. rest is how many bytes the
// file holds from the frame's start: a header claiming more is torn, and
// nothing is allocated for it (a torn length could ask for a gigabyte).
func readFrame(r io.Reader, buf []byte, rest int64) ([]byte, error) {
	var h [frameHeader]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		if err == io.ErrUnexpectedEOF {
			return nil, errTorn
		}
		return nil, err
	}
	n := binary.LittleEndian.Uint32(h[:4])
	if n > maxFrame || int64(n) > rest-frameHeader {
		return nil, errTorn
	}
	if cap(buf) < int(n) {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, errTorn
		}
		return nil, err
	}
	if crc32.Checksum(buf, castagnoli) != binary.LittleEndian.Uint32(h[4:]) {
		return nil, errTorn
	}
	return buf, nil
}

// decode unmarshals a frame's payload.
func decode(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: %v", errTorn, err)
	}
	return nil
}

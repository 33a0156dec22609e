package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"minsheng/corpus"
)

// The staff UI's live documents: 编辑 on the document page (status, reply,
// handling units, topics) and 新增建议. The pages only show the forms; the
// browser sends them to PATCH /api/v1/docs/{id} and POST /api/v1/docs with
// the editor or admin token the user typed, kept for the browser session.

// docEdit is the document page's edit form.
type docEdit struct {
	ID      string
	Version int64 // sent back as If-Match
	Status  string
	Reply   string
	Units   string // 、-separated
	Topics  string // the document's own topics (given), 、-separated
}

// statuses are the handling statuses the forms offer; any other may be typed.
var statuses = []string{"交办中", "办理中", "已答复", "已办结", "留作参考"}

// docEditView is the edit form of d, nil when the server takes no live
// documents.
func (s *Server) docEditView(c *gin.Context, d *corpus.Doc) *docEdit {
	if s.Docs == nil {
		return nil
	}
	v, ok, err := s.Docs.Version(c.Request.Context(), d.ID)
	if err != nil || !ok {
		return nil
	}
	given := d.GivenTopics
	if d.PrimaryTopic == "" && len(d.GivenTopics) == 0 {
		given = d.Topics // not tagged: every topic is its own
	}
	return &docEdit{ID: d.ID, Version: v, Status: d.Status, Reply: d.Reply,
		Units: strings.Join(d.Units, "、"), Topics: strings.Join(given, "、")}
}

// newDocPage is 新增建议.
type newDocPage struct {
	page
	Enabled  bool
	Statuses []string
	MaxIDLen int
}

func (s *Server) uiNewDoc(c *gin.Context) {
	p := &newDocPage{page: s.newPage("新增建议", "new"), Enabled: s.Docs != nil, Statuses: statuses, MaxIDLen: 200}
	s.render(c, http.StatusOK, "newdoc", p)
}

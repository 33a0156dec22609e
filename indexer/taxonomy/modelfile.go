package taxonomy

import (
	"bufio"
	"compress/gzip"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
)

// ModelFile is the file, in a generation's folder, of the topic model the
// generation was tagged with: what a server serving the generation tags
// the documents written to it with, so that they are tagged as the
// build tagged the others.
const ModelFile = "topic-model.gob.gz"

// modelMagic starts a model file; its digit is the format's version.
const modelMagic = "minsheng topic model 3\n"

// savedModel is a Model as its file holds it (gob, gzipped): everything
// it learned, its weights as float64 so that the model read is the model
// trained, bit for bit (its hash is checked when it is read).
type savedModel struct {
	Classes, Labels []string
	Docs            []int
	Thresholds      []float64
	Topics          int
	Dict            string   // the hash of the dictionaries that cut its words (version 3)
	Vocab           []uint64 // word of each feature (version 3; a character pair before)
	IDF, W          []float64
	Cent            []float64 // the class centroids (version 2)
	Hash            string
}

// SaveModel writes the classifier's model, if it has one, into dir (a
// generation's folder being built) as ModelFile. The build calls it.
func (c *Classifier) SaveModel(dir string) error {
	m := c.currentModel()
	if m == nil {
		return nil
	}
	path := filepath.Join(dir, ModelFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("save topic model: %w", err)
	}
	err = m.write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("save topic model %s: %w", path, err)
	}
	return nil
}

func (m *Model) write(w io.Writer) error {
	s := savedModel{Classes: m.Classes, Labels: m.Labels, Docs: m.Docs, Thresholds: m.Thresholds,
		Topics: m.Topics, Dict: m.Dict, Vocab: make([]uint64, len(m.idf)), IDF: m.idf, W: m.w, Cent: m.cent, Hash: m.hash}
	for k, i := range m.vocab {
		s.Vocab[i] = k
	}
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString(modelMagic); err != nil {
		return err
	}
	zw := gzip.NewWriter(bw)
	if err := gob.NewEncoder(zw).Encode(&s); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return bw.Flush()
}

// LoadModel reads the model of a generation from its folder dir: nil and
// no error when the generation has none (it was built from no labelled
// documents). A file that is not a model, or whose content does not give
// its hash, is an error.
func LoadModel(dir string) (*Model, error) {
	f, err := os.Open(filepath.Join(dir, ModelFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load topic model: %w", err)
	}
	defer f.Close()
	m, err := readModel(f)
	if err != nil {
		return nil, fmt.Errorf("load topic model %s: %w", f.Name(), err)
	}
	return m, nil
}

func readModel(r io.Reader) (*Model, error) {
	br := bufio.NewReader(r)
	magic := make([]byte, len(modelMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != modelMagic {
		return nil, errors.New("not a topic model file of this version")
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, err
	}
	var s savedModel
	if err := gob.NewDecoder(zr).Decode(&s); err != nil {
		return nil, err
	}
	nc := len(s.Classes)
	if nc == 0 || len(s.Labels) != nc || len(s.Docs) != nc || len(s.Thresholds) != nc || s.Topics < 0 ||
		len(s.IDF) != len(s.Vocab) || len(s.W) != (len(s.Vocab)+s.Topics+1)*nc || len(s.Cent) != len(s.Vocab)*nc {
		return nil, errors.New("the model's parts do not fit together")
	}
	if err := LoadSegmenter(); err != nil {
		return nil, err
	}
	if builtin := mustSegmenter().dict; s.Dict != builtin {
		return nil, fmt.Errorf("its words were cut with dictionaries %s, this binary's are %s", s.Dict, builtin)
	}
	m := &Model{Classes: s.Classes, Labels: s.Labels, Docs: s.Docs, Thresholds: s.Thresholds, Topics: s.Topics, Dict: s.Dict,
		vocab: make(map[uint64]int32, len(s.Vocab)), idf: s.IDF, w: s.W, cent: s.Cent}
	for i, k := range s.Vocab {
		m.vocab[k] = int32(i)
	}
	if m.hash = m.digest(); m.hash != s.Hash {
		return nil, fmt.Errorf("its content hashes to %s, not %s: damaged", m.hash, s.Hash)
	}
	return m, nil
}

// ModelSource gives the model to tag with now: a server tagging the
// documents written to the generation it serves passes a ModelStore that
// holds that generation's model (see Classifier.WithModelSource).
type ModelSource interface {
	Model() *Model
}

// ModelStore holds the model of the generation being served; a server
// sets it when it starts and each time it serves another generation. The
// zero value holds none. It is safe for concurrent use.
type ModelStore struct {
	m atomic.Pointer[Model]
}

// Model is the model held, or nil.
func (s *ModelStore) Model() *Model { return s.m.Load() }

// Set holds m (nil: none).
func (s *ModelStore) Set(m *Model) { s.m.Store(m) }

// Load holds the model of the generation in folder dir (none if it has
// none); on an error the model held is left as it was.
func (s *ModelStore) Load(dir string) error {
	m, err := LoadModel(dir)
	if err != nil {
		return err
	}
	s.Set(m)
	return nil
}

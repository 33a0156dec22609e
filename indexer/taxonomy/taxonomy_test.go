package taxonomy

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"minsheng/corpus"
	"minsheng/indexer"
	"minsheng/indexer/analysis"
)

func TestParseTaxonomyErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string // substrings of the error, each with its line
	}{
		{"not yaml", "topics: [", []string{"yaml: line 1"}},
		{"no topics", "version_note: x\n", []string{"t.yaml:1: topics must be a list"}},
		{"empty topics", "topics: []\n", []string{"t.yaml:1: topics must be a list"}},
		{"unknown setting", "colour: red\ntopics:\n  - name: A\n    keywords: {a: 1}\n", []string{`t.yaml:1: unknown setting "colour"`}},
		{"bad number", "max_topics: many\ntopics:\n  - name: A\n    keywords: {a: 1}\n", []string{"t.yaml:1:", "cannot unmarshal"}},
		{"fraction", "max_topics: 2.5\ntopics:\n  - name: A\n    keywords: {a: 1}\n", []string{"t.yaml:1: 2.5 is not a whole number"}},
		{"max topics", "max_topics: 20\ntopics:\n  - name: A\n    keywords: {a: 1}\n", []string{"t.yaml:1: max_topics must be between 1 and 10"}},
		{"no name", "topics:\n  - keywords: {a: 1}\n", []string{"t.yaml:2: a topic has no name"}},
		{"no keywords", "topics:\n  - name: A\n", []string{"t.yaml:2: topic A: keywords must be"}},
		{"bad weight", "topics:\n  - name: A\n    keywords:\n      a: 1\n      b: lots\n", []string{"t.yaml:5:", "cannot unmarshal"}},
		{"huge weight", "topics:\n  - name: A\n    keywords:\n      a: 1\n      b: 1000\n", []string{`t.yaml:5: topic A: keyword "b": weight must be`}},
		{"repeated keyword", "topics:\n  - name: A\n    keywords:\n      a: 1\n      a: 2\n", []string{`t.yaml:5: "a" is repeated (first at line 4)`}},
		{"only negative", "topics:\n  - name: A\n    keywords:\n      a: -1\n", []string{"t.yaml:4: topic A: no keyword has a positive weight"}},
		{"repeated topic", "topics:\n  - name: A\n    keywords: {a: 1}\n  - name: A\n    keywords: {b: 1}\n", []string{`t.yaml:4: topic A: topic name "A" is repeated`}},
		{"alias taken", "topics:\n  - name: A\n    keywords: {a: 1}\n  - name: B\n    aliases: [A]\n    keywords: {b: 1}\n", []string{`t.yaml:4: topic B: alias "A" is already used by topic A`}},
		{"bad threshold", "topics:\n  - name: A\n    threshold: -1\n    keywords: {a: 1}\n", []string{"t.yaml:2: topic A: threshold must be above 0"}},
		{"unknown topic setting", "topics:\n  - name: A\n    colour: red\n    keywords: {a: 1}\n", []string{`t.yaml:3: unknown topic setting "colour"`}},
		{"several problems", "topics:\n  - name: A\n    keywords: {a: 1000}\n  - name: B\n    keywords: {b: -1}\n", []string{"t.yaml:3:", "t.yaml:5:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTaxonomy("t.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestFoldedDuplicateKeyword(t *testing.T) {
	tax, err := ParseTaxonomy("t.yaml", []byte("topics:\n  - name: A\n    keywords:\n      医疗: 1\n      醫療: 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewClassifier(tax)
	if err == nil || !strings.Contains(err.Error(), `"医疗" and "醫療" are the same once folded`) {
		t.Fatalf("err = %v", err)
	}
}

func TestDefaultTaxonomy(t *testing.T) {
	tax, err := DefaultTaxonomy()
	if err != nil {
		t.Fatal(err)
	}
	if len(tax.Topics) < 12 {
		t.Errorf("%d topics, want at least 12", len(tax.Topics))
	}
	for _, name := range []string{"乡村振兴", "生态环保", "教育", "医疗卫生", "科技创新", "社会治理", "一老一小",
		"交通基础设施", "文化旅游", "民主法治与人大工作", "经济发展与营商环境", "就业与社会保障", "疫情防控"} {
		if tax.Topic(name) == nil {
			t.Errorf("no topic %s", name)
		}
	}
	if !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(tax.Version()) {
		t.Errorf("version %q is not 12 hex digits", tax.Version())
	}
	again, _ := ParseTaxonomy("other name", defaultTaxonomy)
	if again.Version() != tax.Version() {
		t.Errorf("version depends on more than the bytes: %s, %s", again.Version(), tax.Version())
	}
	edited, err := ParseTaxonomy("edited", append(slices.Clone(defaultTaxonomy), "\n# edited\n"...))
	if err != nil {
		t.Fatal(err)
	}
	if edited.Version() == tax.Version() {
		t.Error("an edited file has the same version")
	}
	if _, err := NewClassifier(tax); err != nil {
		t.Fatal(err)
	}
	if tax.MaxTopics != defaultMaxTopics || tax.KeywordCap != defaultKeywordCap || tax.TitleFactor != defaultTitleFactor {
		t.Errorf("settings %+v", tax)
	}
}

func TestLoadTaxonomy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mine.yaml")
	if err := os.WriteFile(path, []byte("topics:\n  - name: A\n    keywords: {a: 1}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tax, err := LoadTaxonomy(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(tax.Topics) != 1 || tax.Topics[0].Name != "A" || tax.Topics[0].Threshold != defaultThreshold {
		t.Errorf("loaded %+v", tax.Topics)
	}
	builtin, err := LoadTaxonomy("")
	if err != nil || len(builtin.Topics) < 12 {
		t.Errorf("empty path: %v", err)
	}
	if _, err := LoadTaxonomy(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Error("a missing file loads")
	}
}

// testTaxonomy exercises every rule of the score with numbers small
// enough to check by hand.
const testTaxonomy = `
threshold: 2
max_topics: 2
keyword_cap: 3
title_factor: 2
min_ratio: 0.5
topics:
  - name: 养老
    aliases: [一老, 老龄工作]
    keywords:
      养老: 1
      养老服务: 2
      养老保险: 0
  - name: 社保
    keywords:
      养老保险: 3
      社保: 2
  - name: 教育
    threshold: 5
    keywords:
      教育: 1
      学校: 2
      宣传教育: -1
      5G课堂: 2
`

func testClassifier(t testing.TB, src string) *Classifier {
	t.Helper()
	tax, err := ParseTaxonomy("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewClassifier(tax)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// norm is the length divisor of the score: log2(2 + characters/500).
func norm(title, body string) float64 {
	return math.Log2(2 + float64(len([]rune(title))+len([]rune(body)))/500)
}

func TestExplainScores(t *testing.T) {
	c := testClassifier(t, testTaxonomy)
	type hit struct {
		word        string
		title, body int
		points      float64
	}
	tests := []struct {
		name, title, body string
		want              map[string][]hit // topic -> hits
		raw               map[string]float64
	}{
		{"longest within a topic", "", "养老服务",
			map[string][]hit{"养老": {{"养老服务", 0, 1, 2}}}, map[string]float64{"养老": 2}},
		{"cap", "", strings.Repeat("养老服务。", 5),
			map[string][]hit{"养老": {{"养老服务", 0, 5, 6}}}, map[string]float64{"养老": 6}},
		{"title counts twice", "养老", "说养老",
			map[string][]hit{"养老": {{"养老", 1, 1, 3}}}, map[string]float64{"养老": 3}},
		{"topics independent; weight 0 hides", "", "养老保险和养老",
			map[string][]hit{"社保": {{"养老保险", 0, 1, 3}}, "养老": {{"养老", 0, 1, 1}, {"养老保险", 0, 1, 0}}},
			map[string]float64{"社保": 3, "养老": 1}},
		{"negative", "", "宣传教育进学校",
			map[string][]hit{"教育": {{"学校", 0, 1, 2}, {"宣传教育", 0, 1, -1}}}, map[string]float64{"教育": 1}},
		{"folding: traditional, full width, case", "養老服務", "５ｇ课堂",
			map[string][]hit{"养老": {{"养老服务", 1, 0, 4}}, "教育": {{"5G课堂", 0, 1, 2}}},
			map[string]float64{"养老": 4, "教育": 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Explain(tt.title, tt.body)
			if len(got) != len(tt.want) {
				t.Fatalf("%d topics scored, want %d: %+v", len(got), len(tt.want), got)
			}
			for _, ts := range got {
				want, ok := tt.want[ts.Name]
				if !ok {
					t.Errorf("unexpected topic %s", ts.Name)
					continue
				}
				var have []hit
				for _, h := range ts.Hits {
					have = append(have, hit{h.Word, h.Title, h.Body, h.Points})
				}
				if !slices.Equal(have, want) {
					t.Errorf("%s: hits %+v, want %+v", ts.Name, have, want)
				}
				if ts.Raw != tt.raw[ts.Name] {
					t.Errorf("%s: raw %g, want %g", ts.Name, ts.Raw, tt.raw[ts.Name])
				}
				if s := tt.raw[ts.Name] / norm(tt.title, tt.body); math.Abs(ts.Score-s) > 1e-9 {
					t.Errorf("%s: score %g, want %g", ts.Name, ts.Score, s)
				}
			}
		})
	}
}

func TestClassifyAssigns(t *testing.T) {
	c := testClassifier(t, testTaxonomy)
	long := strings.Repeat("无关的文字。", 250) // 1,500 characters: the divisor is log2(5)
	tests := []struct {
		name, title, body string
		want              []string
	}{
		{"below threshold", "", "养老", nil},
		{"below threshold after length", "", "养老服务", nil}, // 2 / log2(2.008)
		{"at threshold", "", "养老服务养老", []string{"养老"}},
		{"best first", "社保", "养老服务养老", []string{"社保", "养老"}},
		{"topic threshold", "", "学校学校", nil}, // 4 < 5
		{"topic threshold met", "学校", "学校", []string{"教育"}},
		{"min ratio", "养老保险", "养老保险养老保险养老服务", []string{"社保"}}, // 社保 9, 养老 2 < 4.5
		{"max topics; ties in taxonomy order", "养老服务", "社保社保学校学校学校", []string{"教育", "养老"}},
		{"length", "", "养老服务。" + long, nil}, // 2 / log2(5.01)
		{"long and focused", "", strings.Repeat("养老服务，", 3) + "社保" + long, []string{"养老"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var names []string
			for _, tp := range c.Classify(tt.title, tt.body) {
				names = append(names, tp.Name)
			}
			if !slices.Equal(names, tt.want) {
				t.Errorf("Classify(%.20q, %.20q) = %v, want %v\n%+v", tt.title, tt.body, names, tt.want, c.Explain(tt.title, tt.body))
			}
		})
	}
}

func TestClassifyScoreAndWords(t *testing.T) {
	c := testClassifier(t, testTaxonomy)
	got := c.Classify("养老服务", "社区养老服务和养老")
	want := []corpus.Topic{{Name: "养老", Score: math.Round((6+1)/norm("养老服务", "社区养老服务和养老")*100) / 100, Words: []string{"养老服务", "养老"}}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestTag(t *testing.T) {
	c := testClassifier(t, testTaxonomy)
	d := corpus.Doc{Title: "养老服务", Body: "养老服务", Topics: []string{"老龄工作", " 养老", "其他", "一老", "", "社保"}}
	c.Tag(&d)
	if want := []string{"养老", "其他", "社保"}; !slices.Equal(d.Topics, want) {
		t.Errorf("given topics %q, want %q", d.Topics, want)
	}
	if len(d.Inferred) != 1 || d.Inferred[0].Name != "养老" {
		t.Errorf("inferred %+v", d.Inferred)
	}
	if want := []string{"养老", "其他", "社保"}; !slices.Equal(d.AllTopics(), want) {
		t.Errorf("all topics %q, want %q", d.AllTopics(), want)
	}
	var tg indexer.Tagger = c
	if tg.Version() != c.Taxonomy().Version() || tg.Version() == "" {
		t.Errorf("version %q", tg.Version())
	}
}

// TestClassifyDefault pins what the built-in taxonomy makes of short,
// plain texts of each field.
func TestClassifyDefault(t *testing.T) {
	tax, err := DefaultTaxonomy()
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewClassifier(tax)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		title, body string
		want        []string
	}{
		{"关于加快发展普惠托育服务的建议", "建议支持社区建设普惠托育机构，发展婴幼儿照护服务，减轻家庭育儿负担。", []string{"一老一小"}},
		{"关于加强农村寄宿制学校建设的建议", "建议改善寄宿制学校办学条件，补充乡村教师，保障寄宿生营养餐。", []string{"教育"}},
		{"關於推進緊密型縣域醫共體建設的建議", "建議加強鄉鎮衛生院和村衛生室建設，推進分級診療。", []string{"医疗卫生"}},
		{"关于加强黄河流域生态保护的建议", "建议加大生态修复投入，推进水土流失治理和防沙治沙，开展大气污染防治。", []string{"生态环保"}},
		{"关于支持种业振兴和高标准农田建设的建议", "建议加大高标准农田建设投入，扶持家庭农场和农民专业合作社，保障粮食安全。", []string{"乡村振兴"}},
		{"关于推动科技成果转化的建议", "建议支持高校和科研院所建设中试基地，完善科技成果转化收益分配，加大基础研究投入。", []string{"科技创新"}},
		{"关于优化营商环境的建议", "建议深化放管服改革，推进一网通办，支持民营企业和中小微企业融资。", []string{"经济发展与营商环境"}},
		{"关于加快兰州至合作铁路建设的建议", "建议加快铁路和高速公路建设，完善综合交通网络。", []string{"交通基础设施"}},
		{"省人大常委会开展水污染防治法执法检查", "省人大常委会执法检查组听取汇报，审议地方性法规草案，推动水污染防治，改善水环境质量，保护饮用水水源。", []string{"民主法治与人大工作", "生态环保"}},
		{"关于做好常态化疫情防控的建议", "建议加强核酸检测能力和发热门诊建设，做好疫苗接种。", []string{"疫情防控"}},
		{"今天天气晴", "气温二十度，适合出行。", nil},
	}
	for _, tt := range tests {
		var names []string
		for _, tp := range c.Classify(tt.title, tt.body) {
			names = append(names, tp.Name)
		}
		if !slices.Equal(names, tt.want) {
			t.Errorf("%s: %v, want %v\n%+v", tt.title, names, tt.want, c.Explain(tt.title, tt.body))
		}
	}
}

// BenchmarkClassify tags a 1,000-character text; BenchmarkClassify/tokenize
// segments the same text with jieba for scale (bleve's own work is some
// six times jieba's, see DESIGN.md).
func BenchmarkClassify(b *testing.B) {
	c := defaultClassifier(b)
	text := []rune(strings.Repeat("临夏州是全省牛羊养殖大县最集中的地区之一，产业链条短、精深加工能力弱的问题比较突出。"+
		"建议省级财政设立专项资金，对新建标准化养殖小区给予补助；支持建设冷链物流和交易园区，培育龙头企业；"+
		"扩大政策性养殖保险覆盖面，让产业成为群众稳定增收、巩固脱贫攻坚成果和推动乡村振兴的支柱。", 10))[:1000]
	title, body := "关于支持发展牛羊产业助推乡村振兴的建议", string(text)
	b.Run("classify", func(b *testing.B) {
		b.SetBytes(int64(len(title) + len(body)))
		for b.Loop() {
			c.Classify(title, body)
		}
	})
	b.Run("tokenize", func(b *testing.B) {
		a := testAnalysis(b)
		b.SetBytes(int64(len(title) + len(body)))
		for b.Loop() {
			a.Tokenize([]byte(title))
			a.Tokenize([]byte(body))
		}
	})
}

// testAnalysis loads the built-in dictionaries once per test binary.
func testAnalysis(tb testing.TB) *analysis.Analysis {
	tb.Helper()
	a, err := analysis.NewBuiltinAnalysis()
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

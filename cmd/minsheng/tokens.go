package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
)

// minTokenLen is the shortest token serve accepts: 24 characters of
// base64 are 144 bits, beyond guessing even without the throttle.
const minTokenLen = 24

// tokenHelp says how to make a good token.
const tokenHelp = "make one with `openssl rand -base64 32`"

// resolveTokens fills AdminToken and EditorToken from their files when
// those are set, and refuses tokens that are short, unreadable files,
// files others may read, or one token for both roles. A token given by
// --admin-token (visible in the process list) is accepted with a warning.
func (c *Config) resolveTokens(fs *flag.FlagSet, log *slog.Logger) error {
	for _, t := range []struct {
		name, flag  string
		token, file *string
	}{
		{"admin", "admin-token", &c.AdminToken, &c.AdminTokenFile},
		{"editor", "editor-token", &c.EditorToken, &c.EditorTokenFile},
	} {
		if *t.file != "" {
			if *t.token != "" {
				return fmt.Errorf("both %s_token (or $MINSHENG_%s_TOKEN) and %s_token_file are set: keep one",
					t.name, strings.ToUpper(t.name), t.name)
			}
			tok, err := readTokenFile(*t.file)
			if err != nil {
				return fmt.Errorf("%s_token_file: %w", t.name, err)
			}
			*t.token = tok
		}
		if *t.token == "" {
			continue
		}
		if n := len(*t.token); n < minTokenLen {
			return fmt.Errorf("the %s token is %d characters long; it must have at least %d: %s", t.name, n, minTokenLen, tokenHelp)
		}
		if fs != nil && flagGiven(fs, t.flag) {
			log.Warn("--"+t.flag+" shows the token to every user of this machine (ps, /proc): prefer "+t.name+"_token_file or $MINSHENG_"+strings.ToUpper(t.name)+"_TOKEN", "token", t.name)
		}
	}
	if c.AdminToken != "" && c.AdminToken == c.EditorToken {
		return errors.New("the editor token is the admin token: give each its own, so that the audit trail can tell them apart")
	}
	return nil
}

// flagGiven reports whether flag name was given on the command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// readTokenFile reads a token from a regular file that only its owner may
// read or write (mode 0600 or stricter); surrounding blanks and the final
// newline are dropped.
func readTokenFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", err
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return "", fmt.Errorf("%s has mode %04o: others may read or change the token; make it owner-only (chmod 600 %s)", path, perm, path)
	}
	b, err := io.ReadAll(io.LimitReader(f, 4097))
	if err != nil {
		return "", err
	}
	if len(b) > 4096 {
		return "", fmt.Errorf("%s is longer than 4096 bytes: it should hold one token", path)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("%s is empty: %s", path, tokenHelp)
	}
	if strings.ContainsAny(tok, " \t\r\n") {
		return "", fmt.Errorf("%s holds more than one line or word: it should hold one token", path)
	}
	return tok, nil
}

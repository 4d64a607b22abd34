package fixture

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/tls"
	"database/sql"
	"fmt"
	"html/template"
	"math/rand"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
)

func queries(db *sql.DB, name string) {
	// ruleid: go-sql-built-by-formatting
	db.Query("SELECT * FROM users WHERE name = '" + name + "'")
	// ruleid: go-sql-built-by-formatting
	db.Exec(fmt.Sprintf("DELETE FROM users WHERE id = %s", name))
	// ok: go-sql-built-by-formatting
	db.Query("SELECT * FROM users WHERE name = $1", name)
	// ok: go-sql-built-by-formatting
	fmt.Println("selected " + name)
}

func hashes(data []byte) {
	// ruleid: go-weak-hash-or-cipher
	weak := md5.Sum(data)
	// ok: go-weak-hash-or-cipher
	strong := sha256.Sum256(data)
	fmt.Println(weak, strong)
}

func tokens() {
	// ruleid: go-insecure-random-secret
	resetToken := rand.Int63()
	// ok: go-insecure-random-secret
	dice := rand.Intn(6)
	fmt.Println(resetToken, dice)
}

func credentials() {
	// ruleid: go-hardcoded-credential
	dbPassword := "hunter2hunter2"
	// ok: go-hardcoded-credential
	dbPasswordFromEnv := os.Getenv("DB_PASSWORD")
	fmt.Println(dbPassword, dbPasswordFromEnv)
}

func clients() {
	// ruleid: go-tls-verification-disabled
	insecure := &tls.Config{InsecureSkipVerify: true}
	// ok: go-tls-verification-disabled
	secure := &tls.Config{MinVersion: tls.VersionTLS12}
	fmt.Println(insecure, secure)
}

func regexes(userPattern string) {
	// ruleid: go-regex-from-input
	dynamic := regexp.MustCompile(userPattern)
	// ok: go-regex-from-input
	fixed := regexp.MustCompile("^[a-z]+$")
	fmt.Println(dynamic, fixed)
}

func temp(data []byte) {
	// ruleid: go-insecure-temp-file
	os.WriteFile("/tmp/cache.json", data, 0o644)
	// ok: go-insecure-temp-file
	f, _ := os.CreateTemp("", "cache-*.json")
	fmt.Println(f)
}

func decode(r *http.Request, v interface{}) {
	// ruleid: go-unsafe-deserialization
	gob.NewDecoder(r.Body).Decode(v)
	// ok: go-unsafe-deserialization
	json.NewDecoder(r.Body).Decode(v)
}

func badge(name string, tags []string) []template.HTML {
	return []template.HTML{
		// ruleid: go-template-html-of-built-string
		template.HTML(fmt.Sprintf("<b>%s</b>", name)),
		// ok: go-template-html-of-built-string
		template.HTML(fmt.Sprintf("<b>%s</b>", html.EscapeString(name))),
		// ruleid: go-template-html-of-built-string
		template.HTML("<i>" + name + "</i>"),
		// ruleid: go-template-html-of-built-string
		template.HTML(strings.Join(tags, "<br>")),
		// ok: go-template-html-of-built-string
		template.HTML("<br>"),
	}
}

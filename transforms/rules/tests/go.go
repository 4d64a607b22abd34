package fixture

import (
	"crypto/aes"
	"crypto/cipher"
	"io"
	cryptorand "crypto/rand"
	"crypto/rsa"
	"crypto/md5"
	"crypto/sha256"
	"crypto/tls"
	"database/sql"
	"fmt"
	"math"
	"strconv"
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
	// ok: go-sql-built-by-formatting
	fmt.Println("SELECT * FROM users WHERE name = '" + name + "'")
	// ok: go-sql-built-by-formatting
	log.Println("DELETE FROM users WHERE id = " + name)
	// ruleid: go-sql-built-by-formatting
	db.Exec(fmt.Sprintf("DELETE FROM users WHERE id = %s", name))
	// ok: go-sql-built-by-formatting
	db.Query("SELECT * FROM users WHERE name = $1", name)
	// ok: go-sql-built-by-formatting
	fmt.Println("selected " + name)
	// ruleid: go-sql-built-by-formatting
	db.Query(fmt.Sprintf("SELECT * FROM %s WHERE id = %d", name, 42))
	// ok: go-sql-built-by-formatting
	db.Query(fmt.Sprintf("SELECT * FROM %s WHERE name = %s", pq.QuoteIdentifier(name), pq.QuoteLiteral(name)))
	// ruleid: go-sql-built-by-formatting
	db.Query(fmt.Sprintf("SELECT * FROM %s WHERE name = '%s'", pq.QuoteIdentifier(name), name))
}

const defaultUser = "admin"

type DBConfig struct{ User, Password string }

func fixedQueries(db *sql.DB, id int, args []string) {
	// ok: go-sql-built-by-formatting
	db.Query(fmt.Sprintf("SELECT * FROM users WHERE name = '%s'", defaultUser))
	// ok: go-sql-built-by-formatting
	db.Query("SELECT * FROM users WHERE name = '" + defaultUser + "'")
	// ok: go-sql-built-by-formatting
	db.Query(fmt.Sprintf("SELECT * FROM users WHERE id = %d LIMIT %5.2f", id, 1.5))
	// ok: go-sql-built-by-formatting
	db.Query(fmt.Sprintf("SELECT * FROM users WHERE id = %d", args[1]))
}

func hashes(data []byte) {
	// ruleid: go-weak-hash-or-cipher
	weak := md5.Sum(data)
	// ok: go-weak-hash-or-cipher
	strong := sha256.Sum256(data)
	fmt.Println(weak, strong)
}

func randomness() {
	// ruleid: go-insecure-random-secret
	resetToken := rand.Int63()
	// ok: go-insecure-random-secret
	dice := rand.Intn(6)
	fmt.Println(resetToken, dice)
}

func generateAPIKey() string {
	// ruleid: go-insecure-random-secret
	return strconv.FormatInt(rand.Int63(), 36)
}

func credentials(jwtToken interface{ SignedString(key interface{}) (string, error) }) {
	// ruleid: go-hardcoded-credential
	dbPassword := "hunter2hunter2"
	// ok: go-hardcoded-credential
	dbPasswordFromEnv := os.Getenv("DB_PASSWORD")
	// ok: go-hardcoded-credential
	fieldPassword := "password" // a form field's name, not a secret
	// ok: go-hardcoded-credential
	tmplResetPassword := "auth/reset_password" // a template's path
	// ruleid: go-hardcoded-credential
	githubToken := "ghp_local_test_value"
	conf := DBConfig{
		// ruleid: go-hardcoded-credential
		Password: "f62e5bcda4fae4f8",
		// ok: go-hardcoded-credential
		User: "f62e5bcda4fae4f8",
	}
	// ruleid: go-hardcoded-credential
	headers := map[string]string{"api_key": "Kjasdlkjapo1234"}
	password := os.Getenv("PASSWORD")
	// ruleid: go-hardcoded-credential
	if password == "letmein99" {
		fmt.Println(conf, headers, githubToken)
	}
	// ok: go-hardcoded-credential
	tokenKind := "identifier"
	// ruleid: go-hardcoded-credential
	signed, _ := jwtToken.SignedString([]byte("shhhhh"))
	// ruleid: go-hardcoded-credential
	conf.Password = "s3cr3t-conf"
	// ruleid: go-hardcoded-credential
	mailAuth := smtp.PlainAuth("", "mailer", "s3cr3t-smtp", "smtp.example.com")
	// ruleid: go-hardcoded-credential
	httpReq.SetBasicAuth("deploy", "s3cr3t-deploy")
	// ok: go-hardcoded-credential
	httpReq.SetBasicAuth(os.Getenv("USER"), os.Getenv("PASS"))
	// ok: go-hardcoded-credential
	conf.Password = "test-password"
	fmt.Println(mailAuth)
	// ok: go-hardcoded-credential
	configured, _ := jwtToken.SignedString([]byte(os.Getenv("JWT_SECRET")))
	fmt.Println(signed, configured)
	fmt.Println(tokenKind)
	fmt.Println(dbPassword, dbPasswordFromEnv)
}

func clients() {
	// ruleid: go-tls-verification-disabled
	insecure := &tls.Config{InsecureSkipVerify: true}
	// ok: go-tls-verification-disabled
	secure := &tls.Config{MinVersion: tls.VersionTLS12}
	// ruleid: go-tls-legacy-protocol
	legacy := &tls.Config{MinVersion: tls.VersionTLS10}
	// ruleid: go-tls-legacy-protocol
	legacy.CipherSuites = []uint16{tls.TLS_ECDHE_RSA_WITH_RC4_128_SHA}
	// ok: go-tls-legacy-protocol
	modern := &tls.Config{MinVersion: tls.VersionTLS13, CipherSuites: []uint16{tls.TLS_AES_128_GCM_SHA256}}
	// ruleid: go-tls-legacy-protocol
	numbered := &tls.Config{MinVersion: 0x0301}
	// ruleid: go-tls-legacy-protocol
	numbered.CipherSuites = []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256}
	// ok: go-tls-legacy-protocol
	defaulted := &tls.Config{MinVersion: 0, CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}}
	// ruleid: go-tls-legacy-protocol
	for _, suite := range tls.InsecureCipherSuites() {
		numbered.CipherSuites = append(numbered.CipherSuites, suite.ID)
	}
	fmt.Println(numbered, defaulted)
	fmt.Println(legacy, modern)
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

func keys() {
	// ruleid: go-weak-rsa-key
	small, _ := rsa.GenerateKey(cryptorand.Reader, 1024)
	// ok: go-weak-rsa-key
	large, _ := rsa.GenerateKey(cryptorand.Reader, 3072)
	fmt.Println(small, large)
}

func initVectors(block cipher.Block, plain []byte) {
	// ruleid: go-static-iv
	fixed := cipher.NewCBCEncrypter(block, []byte("0123456789abcdef"))
	zeros := make([]byte, aes.BlockSize)
	// ruleid: go-static-iv
	zeroed := cipher.NewCBCEncrypter(block, zeros)
	iv := make([]byte, aes.BlockSize)
	if _, err := io.ReadFull(cryptorand.Reader, iv); err != nil {
		return
	}
	// ok: go-static-iv
	random := cipher.NewCBCEncrypter(block, iv)
	fmt.Println(fixed, zeroed, random, plain)
}

func login(user User, password, passwordConfirm string) bool {
	// ruleid: go-plaintext-password-comparison
	matches := user.Password == password
	// ok: go-plaintext-password-comparison
	confirmed := password == passwordConfirm
	// ok: go-plaintext-password-comparison
	verified := bcrypt.CompareHashAndPassword(user.PasswordHash, []byte(password)) == nil
	return matches && confirmed && verified
}

func storePassword(user *User, password string, body []byte) {
	// ruleid: go-fast-hash-of-password
	user.Hash = sha256.Sum256([]byte(password))
	// ruleid: go-weak-hash-or-cipher
	h := md5.New()
	// ruleid: go-fast-hash-of-password
	h.Write([]byte(user.Salt + password))
	// ok: go-fast-hash-of-password
	user.Bcrypt, _ = bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	// ok: go-fast-hash-of-password
	user.ETag = sha256.Sum256(body)
}

func permissions(path string, data []byte) {
	// ruleid: go-world-writable-permissions
	os.WriteFile(path, data, 0666)
	// ruleid: go-world-writable-permissions
	os.MkdirAll(path, 0o777)
	// ruleid: go-world-writable-permissions
	f, _ := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, os.FileMode(0662))
	// ruleid: go-world-writable-permissions
	syscall.Umask(0)
	// ok: go-world-writable-permissions
	os.WriteFile(path, data, 0644)
	// ok: go-world-writable-permissions
	os.MkdirAll(path, 0o755)
	// ok: go-world-writable-permissions
	os.Chmod(path, 0600)
	// ok: go-world-writable-permissions
	os.Mkdir("/srv/shared", 01777)
	// ok: go-world-writable-permissions
	syscall.Umask(0o022)
	fmt.Println(f)
}

func jwtUser(r *http.Request) string {
	claims := jwt.MapClaims{}
	// ruleid: go-jwt-signature-not-verified
	_, _, err := jwt.NewParser().ParseUnverified(r.Header.Get("Authorization"), claims)
	if err != nil {
		return ""
	}
	return claims["sub"].(string)
}

func jwtVerifiedUser(tokenString string) (string, error) {
	claims := jwt.MapClaims{}
	// ok: go-jwt-signature-not-verified
	unverified, _, err := jwt.NewParser().ParseUnverified(tokenString, claims)
	if err != nil {
		return "", err
	}
	key := keys[unverified.Header["kid"].(string)]
	token, err := jwt.Parse(tokenString, func(t *jwt.Token) (interface{}, error) { return key, nil }, jwt.WithValidMethods([]string{"RS256"}))
	if err != nil || !token.Valid {
		return "", err
	}
	return claims["sub"].(string), nil
}

func (s *Server) jwtSign(user string) (string, error) {
	// ruleid: go-jwt-signature-not-verified
	token := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": user})
	// ruleid: go-jwt-signature-not-verified
	return token.SignedString(jwt.UnsafeAllowNoneSignatureType)
}

func jwtSigned(user string) (string, error) {
	// ok: go-jwt-signature-not-verified
	token := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": user})
	return token.SignedString(secret)
}


func stackRecovered(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if err := recover(); err != nil {
			// ruleid: go-stack-trace-exposed
			http.Error(w, fmt.Sprintf("panic: %v\n%s", err, debug.Stack()), 500)
		}
	}()
	work(r)
}

func stackRecoveredBuf(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if err := recover(); err != nil {
			buf := make([]byte, 4096)
			n := runtime.Stack(buf, false)
			// ruleid: go-stack-trace-exposed
			w.Write(buf[:n])
		}
	}()
	work(r)
}

func stackRecoveredLogged(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if err := recover(); err != nil {
			log.Printf("panic: %v\n%s", err, debug.Stack())
			// ok: go-stack-trace-exposed
			http.Error(w, "internal error", 500)
		}
	}()
	work(r)
}


func jwtNoExp(tokenString string) (*jwt.Token, error) {
	// ruleid: go-jwt-expiry-not-checked
	return jwt.Parse(tokenString, keyFunc, jwt.WithoutClaimsValidation())
}

func jwtOldNoExp(tokenString string) (*jwt.Token, error) {
	// ruleid: go-jwt-expiry-not-checked
	p := &jwt.Parser{SkipClaimsValidation: true}
	return p.Parse(tokenString, keyFunc)
}

func jwtWithExp(tokenString string) (*jwt.Token, error) {
	// ok: go-jwt-expiry-not-checked
	return jwt.Parse(tokenString, keyFunc, jwt.WithExpirationRequired())
}

func sshConfigs(key ssh.PublicKey) []*ssh.ClientConfig {
	return []*ssh.ClientConfig{
		{
			User: "deploy",
			// ruleid: go-ssh-host-key-not-verified
			HostKeyCallback: ssh.InsecureIgnoreHostKey(),
		},
		{
			User: "deploy",
			// ruleid: go-ssh-host-key-not-verified
			HostKeyCallback: ssh.HostKeyCallback(func(hostname string, remote net.Addr, key ssh.PublicKey) error {
				return nil
			}),
		},
		{
			User: "deploy",
			// ok: go-ssh-host-key-not-verified
			HostKeyCallback: ssh.FixedHostKey(key),
		},
	}
}

func isAdmin(password string) bool {
	// ruleid: go-hardcoded-credential
	if password == "s3cr3t-admin" {
		return true
	}
	// ok: go-hardcoded-credential
	return password == os.Getenv("ADMIN_PASSWORD")
}

func parseWidth(s string) (int32, error) {
	parsed, err := strconv.Atoi(s)
	if err != nil {
		return 0, err
	}
	// ruleid: go-parsed-integer-narrowed
	return int32(parsed), nil
}

func parsePort(s string) uint16 {
	port, err := strconv.ParseUint(s, 10, 64)
	if err != nil || port > math.MaxUint16 {
		return 0
	}
	// ok: go-parsed-integer-narrowed
	return uint16(port)
}

func parseSmall(s string) int16 {
	v, _ := strconv.ParseInt(s, 10, 16)
	// ok: go-parsed-integer-narrowed
	return int16(v)
}

func createUserBound(c *gin.Context) {
	var user models.User
	if err := c.ShouldBindJSON(&user); err != nil {
		c.JSON(400, gin.H{"error": err.Error()})
		return
	}
	// ruleid: go-mass-assignment-bound-entity
	db.Create(&user)
	c.JSON(200, user)
}

func updateUserBound(c *gin.Context) {
	var user models.User
	db.First(&user, c.Param("id"))
	var input map[string]interface{}
	c.BindJSON(&input)
	// ruleid: go-mass-assignment-bound-entity
	db.Model(&user).Updates(input)
}

func createAccountDecoded(w http.ResponseWriter, r *http.Request) {
	acct := &Account{}
	json.NewDecoder(r.Body).Decode(acct)
	// ruleid: go-mass-assignment-bound-entity
	accountService.CreateAccount(r.Context(), acct)
}

func updateUserByField(c *gin.Context) {
	var user models.User
	db.First(&user, c.Param("id"))
	var input UpdateUserInput
	c.ShouldBindJSON(&input)
	// ok: go-mass-assignment-bound-entity
	db.Model(&user).Updates(models.User{Name: input.Name})
}

func updateUserSelected(c *gin.Context) {
	var user models.User
	db.First(&user, c.Param("id"))
	var input models.User
	c.ShouldBindJSON(&input)
	// ok: go-mass-assignment-bound-entity
	db.Model(&user).Select("name", "email").Updates(input)
}

func createUserFromRequest(c *gin.Context) {
	var req dto.CreateUser
	c.ShouldBindJSON(&req)
	user := models.User{Name: req.Name}
	// ok: go-mass-assignment-bound-entity
	db.Create(&user)
}

func loadConfig(f *os.File) {
	var cfg Config
	json.NewDecoder(f).Decode(&cfg)
	// ok: go-mass-assignment-bound-entity
	db.Save(&cfg)
}

package main

import (
	"bufio"
	"context"
	"database/sql"
	"strconv"
	"fmt"
	"html"
	"html/template"
	"log"
	"net/http"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func greet(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	// ruleid: go-taint-xss
	fmt.Fprintf(w, "<h1>Hello %s</h1>", name)
	// ok: go-taint-xss
	fmt.Fprintf(w, "<h1>Hello %s</h1>", html.EscapeString(name))
	// ruleid: go-taint-xss
	page := template.HTML(r.FormValue("comment"))
	// ok: go-taint-xss
	fixed := template.HTML("<br>")
	fmt.Println(page, fixed)
}

func readFile(base string, name string) ([]byte, error) {
	// ruleid: go-taint-path-traversal
	data, err := os.ReadFile(filepath.Join("/var/data", name))
	// ok: go-taint-path-traversal
	safe, err := os.ReadFile(filepath.Join("/var/data", filepath.Base(name)))
	// ok: go-taint-path-traversal
	index, err := os.ReadFile("/var/data/index.html")
	fmt.Println(safe, index)
	return data, err
}

func writeValues(appPath string, values string) error {
	file, err := os.CreateTemp(appPath, "values-*.yaml")
	if err != nil {
		return err
	}
	// ok: go-taint-path-traversal
	return os.WriteFile(file.Name(), []byte(values), 0600)
}

func readChecked(name string) ([]byte, error) {
	full := filepath.Clean(filepath.Join("/var/data", name))
	if !strings.HasPrefix(full, "/var/data/") {
		return nil, fmt.Errorf("outside")
	}
	// ok: go-taint-path-traversal
	return os.ReadFile(full)
}

func readPassedChecks(root string, name string) {
	p := filepath.Join(root, name)
	if containedIn(p, root) {
		// ok: go-taint-path-traversal
		os.ReadFile(p)
	}
	if !containedIn(p, root) {
		// ruleid: go-taint-path-traversal
		os.ReadFile(p)
	}
	if checkPath(p) == nil {
		// ok: go-taint-path-traversal
		os.ReadFile(p)
	}
	if !strings.Contains(filepath.Clean(p), "..") {
		// ok: go-taint-path-traversal
		os.ReadFile(p)
	}
	if ok, _ := regexp.MatchString("^[a-z]+$", name); ok {
		// ok: go-taint-path-traversal
		os.ReadFile(name)
	}
	if ok, _ := regexp.MatchString("^[a-z]+$", name); !ok {
		// ruleid: go-taint-path-traversal
		os.ReadFile(name)
	}
}

func ping(host string) {
	// ruleid: go-taint-command-injection
	exec.Command("sh", "-c", "ping -c 1 "+host).Run()
	// ok: go-taint-command-injection
	exec.Command("ping", "-c", "1", host).Run()
	// ok: go-taint-command-injection, go-taint-program-from-input
	exec.Command("uptime").Run()
}

func pingKnown(host, fallback string) {
	if !slices.Contains(knownHosts, host) {
		host = "localhost"
	}
	// ok: go-taint-command-injection
	exec.Command("sh", "-c", "ping -c 1 "+host).Run()
}

func pingListed(host string) {
	if !slices.Contains(knownHosts, host) {
		log.Printf("unknown host %s", host)
	}
	// ruleid: go-taint-command-injection
	exec.Command("sh", "-c", "ping -c 1 "+host).Run()
	if !slices.Contains(knownHosts, host) {
		return
	}
	// ok: go-taint-command-injection
	exec.Command("sh", "-c", "ping -c 1 "+host).Run()
}

func runTool(tool, file string) {
	// ruleid: go-taint-program-from-input
	exec.Command(tool, file).Run()
	// ruleid: go-taint-command-injection
	exec.Command("sh", "-c", "lint "+file).Run()
	// ok: go-taint-program-from-input, go-taint-command-injection
	exec.Command("lint", tool, file).Run()
}

func render(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-taint-code-injection
	t, _ := template.New("x").Parse(r.FormValue("tpl"))
	// ok: go-taint-code-injection
	u, _ := template.New("y").Parse("<p>{{.}}</p>")
	t.Execute(w, nil)
	u.Execute(w, nil)
}

func proxy(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-taint-ssrf
	resp, _ := http.Get(r.URL.Query().Get("url"))
	// ok: go-taint-ssrf
	fixed, _ := http.Get("https://api.example.com/")
	fmt.Println(resp, fixed)
}

func fetch(url string) {
	// ok: go-taint-ssrf
	http.Get(url)
}

func login(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-taint-open-redirect
	http.Redirect(w, r, r.FormValue("next"), http.StatusFound)
	// ok: go-taint-open-redirect
	http.Redirect(w, r, "/home", http.StatusFound)
}

func findUser(w http.ResponseWriter, r *http.Request) {
	name := r.FormValue("name")
	query := fmt.Sprintf("SELECT * FROM users WHERE name = '%s'", name)
	// ruleid: go-taint-sql-injection
	rows, _ := db.Query(query)
	// ok: go-taint-sql-injection
	rows, _ = db.Query("SELECT * FROM users WHERE name = $1", name)
	// ok: go-taint-sql-injection
	rows, _ = db.Query("SELECT * FROM users")
	defer rows.Close()
}

func listBooks(w http.ResponseWriter, r *http.Request) {
	var books []Book
	author := r.FormValue("author")
	sort := r.FormValue("sort")
	// ruleid: go-taint-sql-injection
	gdb.Where(fmt.Sprintf("author = '%s'", author)).Find(&books)
	// ruleid: go-taint-sql-injection
	gdb.Model(&Book{}).Order("title " + sort).Find(&books)
	// ok: go-taint-sql-injection
	gdb.Where("author = ?", author).Find(&books)
	// ok: go-taint-sql-injection
	gdb.Where(fmt.Sprintf("year > %d", 2000)).Order("title").Find(&books)
}

func deleteUser(ctx context.Context, tx *sql.Tx, id string) error {
	// ruleid: go-taint-sql-injection
	_, err := tx.ExecContext(ctx, "DELETE FROM users WHERE id = "+id)
	n, _ := strconv.Atoi(id)
	// ok: go-taint-sql-injection
	_, err = tx.ExecContext(ctx, fmt.Sprintf("DELETE FROM users WHERE id = %d", n))
	// ok: go-taint-sql-injection
	_, err = tx.ExecContext(ctx, "DELETE FROM users WHERE id = ?", id)
	return err
}

func serveChecked(w http.ResponseWriter, r *http.Request) {
	p := filepath.Join(root, r.URL.Query().Get("file"))
	if !isWithinRoot(root, p) {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	// ok: go-taint-path-traversal
	data, _ := os.ReadFile(p)
	w.Write(data)
}

func writeUpload(afs afero.Fs, dst string, in io.Reader) error {
	dir, _ := path.Split(dst)
	// ruleid: go-taint-path-traversal
	if err := afs.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// ruleid: go-taint-path-traversal
	file, err := afs.OpenFile(dst, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer file.Close()
	_, err = io.Copy(file, in)
	return err
}

func writeScopedUpload(afs afero.Fs, dst string, in io.Reader) error {
	if ok, err := files.WithinScope(afs, dst); err != nil || !ok {
		return os.ErrPermission
	}
	// ok: go-taint-path-traversal
	file, err := afs.OpenFile(dst, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer file.Close()
	_, err = io.Copy(file, in)
	return err
}

var allowedHosts = map[string]bool{"api.example.com": true}

func preview(w http.ResponseWriter, r *http.Request) {
	target, err := url.Parse(r.URL.Query().Get("url"))
	if err != nil {
		return
	}
	// ruleid: go-taint-ssrf
	http.Get(target.String())
	if !allowedHosts[target.Hostname()] {
		http.Error(w, "host not allowed", http.StatusBadRequest)
		return
	}
	// ok: go-taint-ssrf
	http.Get(target.String())
}

func continueTo(w http.ResponseWriter, r *http.Request) {
	next, _ := url.Parse(r.FormValue("next"))
	if next.Host != "" && next.Host != r.Host {
		next = &url.URL{Path: "/"}
	}
	// ok: go-taint-open-redirect
	http.Redirect(w, r, next.String(), http.StatusFound)
}

func continueUnchecked(w http.ResponseWriter, r *http.Request) {
	next, _ := url.Parse(r.FormValue("next"))
	// ruleid: go-taint-open-redirect
	http.Redirect(w, r, next.String(), http.StatusFound)
}

func (s *ContainerService) Logs(container, tail string) error {
	if CheckIllegal(container, tail) {
		return fmt.Errorf("illegal characters")
	}
	// ok: go-taint-command-injection
	return exec.Command("bash", "-c", "docker logs -n "+tail+" "+container).Run()
}

func (s *ContainerService) LogsWrongWay(container string) error {
	if !CheckIllegal(container) {
		return fmt.Errorf("illegal characters")
	}
	// ruleid: go-taint-command-injection
	return exec.Command("bash", "-c", "docker logs "+container).Run()
}

func (s *ContainerService) LogsLogged(container string) error {
	if CheckIllegal(container) {
		fmt.Println("odd container name")
	}
	// ruleid: go-taint-command-injection
	return exec.Command("bash", "-c", "docker logs "+container).Run()
}

func pingChecked(w http.ResponseWriter, r *http.Request) {
	host := r.FormValue("host")
	if strings.ContainsAny(host, "\n;&|`$") {
		http.Error(w, "bad host", http.StatusBadRequest)
		return
	}
	// ok: go-taint-command-injection
	exec.Command("sh", "-c", "ping -c 1 "+host).Run()
}

func (s *Service) Run(name string) error {
	if err := validateName(name); err != nil {
		return err
	}
	// ok: go-taint-command-injection
	return exec.Command("sh", "-c", "run "+name).Run()
}

func (s *Service) RunValid(name string) error {
	if !isValidName(name) {
		return fmt.Errorf("invalid name")
	}
	// ok: go-taint-command-injection
	return exec.Command("sh", "-c", "run "+name).Run()
}

func download(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("f")
	full := filepath.Join("/srv/files", name)
	rel, err := filepath.Rel("/srv/files", full)
	if err != nil || strings.HasPrefix(rel, "..") {
		http.Error(w, "bad path", http.StatusBadRequest)
		return
	}
	// ok: go-taint-path-traversal
	data, _ := os.ReadFile(full)
	w.Write(data)
}

func downloadLocal(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("f")
	// ruleid: go-taint-path-traversal
	f, _ := os.Open(filepath.Join("/srv/files", name))
	defer f.Close()
	// ok: go-taint-path-traversal
	g, _ := os.Open(filepath.Join("/srv/files", filepath.Clean("/"+name)))
	defer g.Close()
	joined, _ := securejoin.SecureJoin("/srv/files", name)
	// ok: go-taint-path-traversal
	h, _ := os.Open(joined)
	defer h.Close()
	if !filepath.IsLocal(name) {
		return
	}
	// ok: go-taint-path-traversal
	k, _ := os.Open(filepath.Join("/srv/files", name))
	defer k.Close()
}

func redirectLocal(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	u, err := url.Parse(next)
	if err != nil || u.IsAbs() || u.Host != "" {
		return
	}
	// ok: go-taint-open-redirect
	http.Redirect(w, r, next, http.StatusFound)
}

func ginPage(c *gin.Context) {
	q := c.Query("q")
	// ruleid: go-taint-xss
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte("<p>"+q+"</p>"))
	// ok: go-taint-xss
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte("<p>"+html.EscapeString(q)+"</p>"))
	// ok: go-taint-xss
	c.Data(http.StatusOK, "application/json", []byte(q))
	// ruleid: go-taint-xss
	c.Writer.WriteString("<p>" + q + "</p>")
}

func echoPage(c echo.Context) error {
	q := c.QueryParam("q")
	// ruleid: go-taint-xss
	return c.HTML(http.StatusOK, "<p>"+q+"</p>")
}

func echoText(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	// ok: go-taint-xss
	fmt.Fprintf(w, "You said %s", q)
}

func echoHTML(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	w.Header().Set("Content-Type", "text/html")
	// ruleid: go-taint-xss
	fmt.Fprintf(w, "You said %s", q)
}

func unzipTo(archive *Archive) error {
	dest := "/srv/extract"
	r, err := zip.OpenReader(archive.Path)
	if err != nil {
		return err
	}
	defer r.Close()
	for _, f := range r.File {
		target := filepath.Join(dest, f.Name)
		// ruleid: go-taint-path-traversal
		out, _ := os.OpenFile(target, os.O_WRONLY|os.O_CREATE, f.Mode())
		out.Close()
	}
	return nil
}

func unzipChecked(archive *Archive) error {
	dest := "/srv/extract"
	r, _ := zip.OpenReader(archive.Path)
	defer r.Close()
	for _, f := range r.File {
		target := filepath.Join(dest, f.Name)
		if !strings.HasPrefix(target, filepath.Clean(dest)+string(os.PathSeparator)) {
			return fmt.Errorf("illegal file path: %s", target)
		}
		// ok: go-taint-path-traversal
		out, _ := os.OpenFile(target, os.O_WRONLY|os.O_CREATE, f.Mode())
		out.Close()
	}
	return nil
}

func untarTo(in io.Reader) error {
	dest := "/srv/extract"
	tr := tar.NewReader(in)
	for {
		header, err := tr.Next()
		if err != nil {
			return err
		}
		// ruleid: go-taint-path-traversal
		f, _ := os.Create(filepath.Join(dest, header.Name))
		f.Close()
		// ok: go-taint-path-traversal
		g, _ := os.Create(filepath.Join(dest, filepath.Base(header.Name)))
		g.Close()
	}
}

func upload(c *gin.Context) {
	file, err := c.FormFile("file")
	if err != nil {
		return
	}
	// ruleid: go-taint-path-traversal
	c.SaveUploadedFile(file, "/srv/uploads/"+file.Filename)
	// ok: go-taint-path-traversal
	c.SaveUploadedFile(file, filepath.Join("/srv/uploads", filepath.Base(file.Filename)))
}

func uploadStd(w http.ResponseWriter, r *http.Request) {
	_, header, err := r.FormFile("file")
	if err != nil {
		return
	}
	// ruleid: go-taint-path-traversal
	out, _ := os.Create(filepath.Join("/srv/uploads", header.Filename))
	out.Close()
}

func sendDoc(c *gin.Context) {
	// ruleid: go-taint-path-traversal
	c.File(filepath.Join("/srv/docs", c.Query("name")))
	// ok: go-taint-path-traversal
	c.File(filepath.Join("/srv/docs", filepath.Base(c.Query("name"))))
}

func removeNamed() {
	// ruleid: go-taint-command-injection
	exec.Command("sh", "-c", "rm "+os.Args[1]).Run()
	// ok: go-taint-command-injection
	exec.Command("rm", "--", filepath.Base(os.Args[1])).Run()
}

func queryTyped(db *sql.DB) {
	in := bufio.NewReader(os.Stdin)
	name, _ := in.ReadString('\n')
	// ruleid: go-taint-sql-injection
	db.Query("SELECT * FROM users WHERE name = '" + name + "'")
	scanner := bufio.NewScanner(os.Stdin)
	for scanner.Scan() {
		// ruleid: go-taint-path-traversal
		os.ReadFile(scanner.Text())
	}
	// ok: go-taint-sql-injection
	db.Query("SELECT * FROM users WHERE name = ?", name)
}

func proxyWithClient(client *http.Client, w http.ResponseWriter, r *http.Request) {
	// ok: go-taint-ssrf
	token := r.Header.Get("X-Token")
	// ruleid: go-taint-ssrf
	resp, _ := client.Get(r.URL.Query().Get("url"))
	fmt.Println(token, resp.Status)
}

func userByName(db *sqlx.DB, name string) (User, error) {
	var user User
	// ruleid: go-taint-sql-injection
	err := db.Get(&user, "SELECT * FROM users WHERE name = '"+name+"'")
	// ok: go-taint-sql-injection
	err = db.Get(&user, "SELECT * FROM users WHERE name = $1", name)
	return user, err
}

func readUnder(dir, name string) ([]byte, error) {
	// ok: go-taint-path-traversal
	return os.ReadFile(filepath.Join(dir, filepath.Base(name)))
}

func readJoined(dir, name string) ([]byte, error) {
	// ruleid: go-taint-path-traversal
	return os.ReadFile(filepath.Join(dir, name))
}

func serveDecoded(w http.ResponseWriter, r *http.Request) {
	name, _ := url.PathUnescape(r.URL.Query().Get("f"))
	// ruleid: go-taint-path-traversal
	data, _ := os.ReadFile(filepath.Join("/srv/files", name))
	w.Write(data)
}

func (u *ComposeService) CreateCompose(req dto.ComposeCreate) error {
	// ruleid: go-taint-path-traversal
	logFile, err := os.OpenFile(path.Dir(req.Path)+"/compose.log", os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer logFile.Close()
	if cmd.CheckIllegal(req.Name, req.Path) {
		return errIllegal
	}
	// ok: go-taint-path-traversal
	return os.WriteFile(path.Dir(req.Path)+"/compose.yml", []byte(req.Content), 0o600)
}

func (u *ComposeService) Restore(opts RestoreOptions, r *http.Request) error {
	// ok: go-taint-path-traversal
	return os.RemoveAll(opts.Dir + "/" + r.Method)
}

func serveUnknownUser() {
	http.HandleFunc("/user", func(w http.ResponseWriter, r *http.Request) {
		username := r.Form.Get("username")
		if !isValidUsername(username) {
			// ruleid: go-taint-xss
			fmt.Fprintf(w, "%q is an unknown user", username)
			return
		}
		// ok: go-taint-xss
		fmt.Fprintf(w, "%s is known", username)
	})
}

func serveHome(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == homeName {
		// ok: go-taint-xss
		fmt.Fprintf(w, "<p>%s</p>", name)
	}
	if name != homeName {
		// ruleid: go-taint-xss
		fmt.Fprintf(w, "<p>not home: %s</p>", name)
		return
	}
	// ok: go-taint-xss
	fmt.Fprintf(w, "<p>%s</p>", name)
}

func serveListed(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if _, ok := knownNames[name]; !ok {
		// ruleid: go-taint-xss
		fmt.Fprintf(w, "<p>unknown: %s</p>", name)
		return
	}
	// ok: go-taint-xss
	fmt.Fprintf(w, "<p>%s</p>", name)
}

func greetIfGiven(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name != "" {
		// ruleid: go-taint-xss
		fmt.Fprintf(w, "<p>Hello %s</p>", name)
	}
	if _, ok := knownNames[name]; !ok {
		return
	}
	if name != "" {
		// ok: go-taint-xss
		fmt.Fprintf(w, "<p>Hello %s</p>", name)
	}
}

func showPoll(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	if id == defaultPoll {
		// ok: go-taint-xss
		fmt.Fprintf(w, "<p>poll %s</p>", id)
	} else {
		// ruleid: go-taint-xss
		fmt.Fprintf(w, "<p>poll %s</p>", id)
	}
}

func unzipChecked(f string) {
	r, _ := zip.OpenReader(f)
	for _, e := range r.File {
		p, _ := filepath.Abs(e.Name)
		if !strings.Contains(p, "..") {
			// ok: go-taint-path-traversal
			os.WriteFile(p, []byte("present"), 0o600)
		}
		if strings.Contains(p, "..") {
			// ruleid: go-taint-path-traversal
			os.Remove(p)
		}
	}
}

func serveListedOrNot(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if _, ok := knownNames[name]; ok {
		// ok: go-taint-xss
		fmt.Fprintf(w, "<p>%s</p>", name)
	} else {
		// ruleid: go-taint-xss
		fmt.Fprintf(w, "<p>unknown: %s</p>", name)
	}
	if validName.MatchString(name) {
		// ok: go-taint-xss
		fmt.Fprintf(w, "<p>%s</p>", name)
	} else {
		// ruleid: go-taint-xss
		fmt.Fprintf(w, "<p>invalid: %s</p>", name)
	}
}

func logFailedLogin(w http.ResponseWriter, r *http.Request) {
	user := r.FormValue("user")
	// ruleid: go-taint-log-injection
	log.Printf("failed login for %s", user)
	// ruleid: go-taint-log-injection
	log.Println("failed login for " + r.URL.Query().Get("user"))
	// ok: go-taint-log-injection
	logger.Warnf("rejected login for %s", user)
	// ok: go-taint-log-injection
	log.Printf("failed login for %q", user)
	clean := strings.NewReplacer("\r", "", "\n", "").Replace(user)
	// ok: go-taint-log-injection
	log.Printf("failed login for %s", clean)
	// ok: go-taint-log-injection
	log.Printf("failed login for %s", strings.ReplaceAll(user, "\n", " "))
	// ok: go-taint-log-injection
	log.Printf("failed login from %s", r.RemoteAddr)
	w.WriteHeader(http.StatusUnauthorized)
}

func logOwnArgument(name string) {
	// ok: go-taint-log-injection
	log.Printf("processing %s", name)
}

func mailResetLink(w http.ResponseWriter, r *http.Request) {
	token := newResetToken(r.FormValue("email"))
	body := "Click to reset your password: https://" + r.Host + "/reset/" + token
	// ruleid: go-taint-host-header-in-mail
	smtp.SendMail("mail:25", nil, "noreply@example.com", []string{r.FormValue("email")}, []byte(body))
	fixed := "Click to reset your password: " + baseURL + "/reset/" + token
	// ok: go-taint-host-header-in-mail
	smtp.SendMail("mail:25", nil, "noreply@example.com", []string{r.FormValue("email")}, []byte(fixed))
}

// A check cleans only where it holds: a passed check its own branch (not the else), a failed
// check what follows it (not its own branch).
func proxyAllowedOrNot(w http.ResponseWriter, r *http.Request) {
	u, _ := url.Parse(r.URL.Query().Get("url"))
	if allowedHosts[u.Hostname()] {
		// ok: go-taint-ssrf
		http.Get(u.String())
	} else {
		// ruleid: go-taint-ssrf
		http.Get(u.String())
	}
	if u.Host == "api.example.com" {
		// ok: go-taint-ssrf
		http.Get(u.String())
	} else {
		// ruleid: go-taint-ssrf
		http.Get(u.String())
	}
}

func proxyRejected(w http.ResponseWriter, r *http.Request) {
	u, _ := url.Parse(r.URL.Query().Get("url"))
	if !allowedHosts[u.Host] {
		// ruleid: go-taint-ssrf
		http.Get(u.String())
		return
	}
	// ok: go-taint-ssrf
	http.Get(u.String())
}

func redirectRejectedHost(w http.ResponseWriter, r *http.Request) {
	u, _ := url.Parse(r.URL.Query().Get("next"))
	if u.Hostname() != "example.com" {
		// ruleid: go-taint-open-redirect
		http.Redirect(w, r, u.String(), http.StatusFound)
		return
	}
	// ok: go-taint-open-redirect
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func openScoped(afs afero.Fs, root, p string) {
	if ok, err := files.WithinScope(afs, p); err != nil || !ok {
		// ruleid: go-taint-path-traversal
		os.Remove(p)
		return
	}
	// ok: go-taint-path-traversal
	os.Open(p)
}

func openInside(root, p string) {
	if ok := isInside(root, p); !ok {
		// ruleid: go-taint-path-traversal
		os.Remove(p)
		return
	}
	// ok: go-taint-path-traversal
	os.Open(p)
}

func logsRejected(container string) error {
	if CheckIllegal(container) {
		// ruleid: go-taint-command-injection
		exec.Command("sh", "-c", "echo bad "+container).Run()
		return errIllegal
	}
	// ok: go-taint-command-injection
	return exec.Command("sh", "-c", "docker logs "+container).Run()
}

func logsBlocked(container string) error {
	if strings.ContainsAny(container, ";&|`$") {
		// ruleid: go-taint-command-injection
		exec.Command("sh", "-c", "echo bad "+container).Run()
		return errIllegal
	}
	// ok: go-taint-command-injection
	return exec.Command("sh", "-c", "docker logs "+container).Run()
}

func runRejected(name string) error {
	if err := validateName(name); err != nil {
		// ruleid: go-taint-command-injection
		exec.Command("sh", "-c", "echo bad "+name).Run()
		return err
	}
	// ok: go-taint-command-injection
	return exec.Command("sh", "-c", "run "+name).Run()
}

func runChecked(name string) error {
	err := checkName(name)
	if err != nil {
		// ruleid: go-taint-command-injection
		exec.Command("sh", "-c", "echo bad "+name).Run()
		return err
	}
	// ok: go-taint-command-injection
	return exec.Command("sh", "-c", "run "+name).Run()
}

func downloadRejected(w http.ResponseWriter, r *http.Request) {
	full := filepath.Join("/srv/files", r.URL.Query().Get("f"))
	rel, err := filepath.Rel("/srv/files", full)
	if err != nil || strings.HasPrefix(rel, "..") {
		// ruleid: go-taint-path-traversal
		os.Remove(full)
		return
	}
	// ok: go-taint-path-traversal
	os.Open(full)
}

func downloadInside(w http.ResponseWriter, r *http.Request) {
	full := filepath.Join("/srv/files", r.URL.Query().Get("f"))
	rel, _ := filepath.Rel("/srv/files", full)
	if !strings.HasPrefix(rel, "..") {
		// ok: go-taint-path-traversal
		os.Open(full)
	} else {
		// ruleid: go-taint-path-traversal
		os.Remove(full)
	}
	// ruleid: go-taint-path-traversal
	os.Open(full)
}

func redirectRejected(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	u, err := url.Parse(next)
	if err != nil || u.IsAbs() {
		// ruleid: go-taint-open-redirect
		http.Redirect(w, r, next, http.StatusFound)
		return
	}
	// ok: go-taint-open-redirect
	http.Redirect(w, r, next, http.StatusFound)
}

func redirectRelative(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	u, _ := url.Parse(next)
	if !u.IsAbs() {
		// ok: go-taint-open-redirect
		http.Redirect(w, r, next, http.StatusFound)
	} else {
		// ruleid: go-taint-open-redirect
		http.Redirect(w, r, next, http.StatusFound)
	}
}

func removeNoDots(p string) {
	if !strings.Contains(p, "..") {
		fmt.Println("no dots")
	}
	// ruleid: go-taint-path-traversal
	os.Remove(p)
}

func removeDotsChecked(p string, strict bool) {
	if strict && strings.Contains(p, "..") {
		// ruleid: go-taint-path-traversal
		os.Remove(p)
		return
	}
}

func serveNotHome(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if !(name == homeName) {
		// ruleid: go-taint-xss
		fmt.Fprintf(w, "<p>%s</p>", name)
	}
}

// A failed check cleans what follows only when its branch leaves (returns, panics, exits, continues);
// its else, where the check passed, is clean either way.
var allowedTools = map[string]bool{"ls": true, "df": true}

func downloadLogged(w http.ResponseWriter, r *http.Request) {
	p := filepath.Join(baseDir, r.FormValue("file"))
	if !isPathInside(baseDir, p) {
		log.Print("path outside the base directory")
	}
	// ruleid: go-taint-path-traversal
	data, _ := os.ReadFile(p)
	w.Write(data)
}

func downloadElse(w http.ResponseWriter, r *http.Request) {
	p := filepath.Join(baseDir, r.FormValue("file"))
	if !isPathInside(baseDir, p) {
		http.Error(w, "bad path", http.StatusBadRequest)
	} else {
		// ok: go-taint-path-traversal
		http.ServeFile(w, r, p)
	}
}

func pingLogged(w http.ResponseWriter, r *http.Request) {
	host := r.URL.Query().Get("host")
	if !isValidHostname(host) {
		log.Print("invalid host")
	}
	// ruleid: go-taint-command-injection
	exec.Command("sh", "-c", "ping -c 1 "+host).Run()
}

func pingElse(w http.ResponseWriter, r *http.Request) {
	host := r.URL.Query().Get("host")
	if !isValidHostname(host) {
		http.Error(w, "invalid host", http.StatusBadRequest)
	} else {
		// ok: go-taint-command-injection
		exec.Command("sh", "-c", "ping -c 1 "+host).Run()
	}
}

func fetchLogged(w http.ResponseWriter, r *http.Request) {
	target := r.FormValue("url")
	if err := validateURL(target); err != nil {
		log.Print("url failed validation")
	}
	// ruleid: go-taint-ssrf
	http.Get(target)
}

func fetchElse(w http.ResponseWriter, r *http.Request) {
	target := r.FormValue("url")
	if err := validateURL(target); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
	} else {
		// ok: go-taint-ssrf
		http.Get(target)
	}
}

func runToolLogged(w http.ResponseWriter, r *http.Request) {
	tool := r.FormValue("tool")
	if _, ok := allowedTools[tool]; !ok {
		fmt.Fprintln(os.Stderr, "unknown tool")
	}
	// ruleid: go-taint-program-from-input
	exec.Command(tool).Run()
}

func runToolElse(w http.ResponseWriter, r *http.Request) {
	tool := r.FormValue("tool")
	if _, ok := allowedTools[tool]; !ok {
		http.Error(w, "unknown tool", http.StatusBadRequest)
	} else {
		// ok: go-taint-program-from-input
		exec.Command(tool).Run()
	}
}

func readUnderRootLogged(name string) {
	p := filepath.Join(rootDir, name)
	if !strings.HasPrefix(p, rootDir) {
		fmt.Println("outside the root")
	}
	// ruleid: go-taint-path-traversal
	os.ReadFile(p)
}

func readUnderRootElse(name string) ([]byte, error) {
	p := filepath.Join(rootDir, name)
	if !strings.HasPrefix(p, rootDir) {
		fmt.Println("outside the root")
	} else {
		// ok: go-taint-path-traversal
		return os.ReadFile(p)
	}
	return nil, errOutside
}

func proxyLogged(w http.ResponseWriter, r *http.Request) {
	target, _ := url.Parse(r.FormValue("url"))
	if !allowedHosts[target.Hostname()] {
		log.Print("host not on the list")
	}
	// ruleid: go-taint-ssrf
	http.Get(target.String())
}

func proxyElse(w http.ResponseWriter, r *http.Request) {
	target, _ := url.Parse(r.FormValue("url"))
	if !allowedHosts[target.Hostname()] {
		http.Error(w, "host not allowed", http.StatusForbidden)
	} else {
		// ok: go-taint-ssrf
		http.Get(target.String())
	}
}

func grepElse(w http.ResponseWriter, r *http.Request) {
	pattern := r.FormValue("q")
	if strings.ContainsAny(pattern, ";&|`$") {
		http.Error(w, "bad pattern", http.StatusBadRequest)
	} else {
		// ok: go-taint-command-injection
		exec.Command("sh", "-c", "grep "+pattern+" /var/log/app.log").Run()
	}
}

func loginNextLogged(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	u, err := url.Parse(next)
	if err != nil || u.IsAbs() {
		log.Print("absolute next URL")
	}
	// ruleid: go-taint-open-redirect
	http.Redirect(w, r, next, http.StatusFound)
}

func loginNextElse(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	u, err := url.Parse(next)
	if err != nil || u.IsAbs() {
		http.Redirect(w, r, "/", http.StatusFound)
	} else {
		// ok: go-taint-open-redirect
		http.Redirect(w, r, next, http.StatusFound)
	}
}

func extractLogged(root, name string) {
	rel, err := filepath.Rel(root, filepath.Join(root, name))
	if err != nil || strings.HasPrefix(rel, "..") {
		log.Print("entry outside the root")
	}
	// ruleid: go-taint-path-traversal
	os.Create(filepath.Join(root, name))
}

func openLenient(name string, strict bool) {
	if !isValidName(name) {
		if strict {
			return
		}
		log.Print("invalid name, opening anyway")
	}
	// ruleid: go-taint-path-traversal
	os.Open(name)
}

func openOrDefault(name string) {
	if !isValidName(name) {
		name = "default.txt"
	}
	// ok: go-taint-path-traversal
	os.Open(name)
}

func removeArg() {
	name := os.Args[1]
	if !isPathInside(dataDir, name) {
		log.Fatalf("%s is outside %s", name, dataDir)
	}
	// ok: go-taint-path-traversal
	os.Remove(name)
}

func removeEach(names []string) {
	for _, n := range names {
		if !isPathInside(dataDir, n) {
			continue
		}
		// ok: go-taint-path-traversal
		os.Remove(n)
	}
}

// a branch that ends in an if/else whose branches both leave leaves; one that returns only in an if does not
func runTool(w http.ResponseWriter, r *http.Request) {
	tool := r.URL.Query().Get("tool")
	if !slices.Contains(allowedTools, tool) {
		log.Println("unknown tool")
		if r.URL.Query().Get("quiet") != "" {
			return
		} else {
			panic("unknown tool")
		}
	}
	// ok: go-taint-command-injection
	exec.Command("sh", "-c", "run "+tool).Run()
	other := r.URL.Query().Get("other")
	if !slices.Contains(allowedTools, other) {
		log.Println("unknown tool")
		if r.URL.Query().Get("strict") != "" {
			return
		}
	}
	// ruleid: go-taint-command-injection
	exec.Command("sh", "-c", "run "+other).Run()
}

func gitArguments(w http.ResponseWriter, r *http.Request) {
	ref := r.URL.Query().Get("ref")
	// ruleid: go-taint-git-argument-injection
	exec.Command("git", "log", ref).Run()
	// ok: go-taint-git-argument-injection
	exec.Command("git", "log", "--", ref).Run()
	// ok: go-taint-git-argument-injection
	exec.Command("git", "log", "--max-count=" + ref).Run()
	args := []string{"log", "--", ref}
	// ok: go-taint-git-argument-injection
	exec.Command("git", args...).Run()
	built := []string{"log", "--"}
	built = append(built, ref)
	// ok: go-taint-git-argument-injection
	exec.Command("git", built...).Run()
	late := []string{"log"}
	late = append(late, ref, "--")
	// ruleid: go-taint-git-argument-injection
	exec.Command("git", late...).Run()
	loose := []string{"log", ref}
	// ruleid: go-taint-git-argument-injection
	exec.Command("git", loose...).Run()
	if strings.HasPrefix(ref, "-") {
		http.Error(w, "bad ref", http.StatusBadRequest)
		return
	}
	// ok: go-taint-git-argument-injection
	exec.CommandContext(r.Context(), "git", "show", ref).Run()
}

func gitArgumentsWrongWay(r *http.Request) {
	ref := r.URL.Query().Get("ref")
	if !strings.HasPrefix(ref, "-") {
		return
	}
	// ruleid: go-taint-git-argument-injection
	exec.Command("git", "log", ref).Run()
}

func cloneRepository(from string, to string) error {
	// ruleid: go-taint-git-argument-injection
	return exec.Command("git", "clone", from, to).Run()
}

func untarChecked(root string, name string) {
	if !strings.HasPrefix(filepath.Join(root, name), root) {
		panic("outside the root")
	}
	// ok: go-taint-path-traversal
	os.MkdirAll(filepath.Dir(name), 0755)
}

func untarValidated(root string, name string) {
	if checkEntry(name, root) != nil {
		return
	}
	// ok: go-taint-path-traversal
	os.MkdirAll(filepath.Dir(name), 0755)
}

func untarLogged(root string, name string) {
	if checkEntry(name, root) != nil {
		log.Println("odd entry")
	}
	// ruleid: go-taint-path-traversal
	os.MkdirAll(filepath.Dir(name), 0755)
}

func tagFilter(db *sql.DB, value interface{}) (*sql.Rows, error) {
	tags, _ := value.([]string)
	quoted := make([]string, 0, len(tags))
	for _, t := range tags {
		quoted = append(quoted, "'"+t+"'")
	}
	// ruleid: go-sql-literal-quoted-by-hand
	where := fmt.Sprintf("tag IN (%s)", strings.Join(quoted, ","))
	// ruleid: go-sql-literal-quoted-by-hand
	return db.Query("SELECT id FROM item WHERE " + where)
}

func tagFilterQuoted(db *sql.DB, value interface{}) (*sql.Rows, error) {
	tags, _ := value.([]string)
	quoted := make([]string, 0, len(tags))
	for _, t := range tags {
		quoted = append(quoted, pq.QuoteLiteral(t))
	}
	// ok: go-sql-literal-quoted-by-hand
	where := fmt.Sprintf("tag IN (%s)", strings.Join(quoted, ","))
	return db.Query("SELECT id FROM item WHERE " + where)
}

func tagMessage(tag string) error {
	// ok: go-sql-literal-quoted-by-hand
	return errors.New("unknown tag '" + tag + "'")
}

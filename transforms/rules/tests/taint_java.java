import java.io.*;
import java.nio.file.*;
import javax.script.ScriptEngine;
import javax.servlet.http.*;

class TaintCases {
    void greet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String name = req.getParameter("name");
        // ruleid: java-taint-xss
        resp.getWriter().println("<h1>" + name + "</h1>");
        // ok: java-taint-xss
        resp.getWriter().println("<h1>" + Encode.forHtml(name) + "</h1>");
        // ok: java-taint-xss
        resp.getWriter().println("<h1>hello</h1>");
    }

    void render(PrintWriter out, String comment) {
        // ruleid: java-taint-xss
        out.println("<p>" + comment + "</p>");
        // ok: java-taint-xss
        out.println("<p>" + StringEscapeUtils.escapeHtml4(comment) + "</p>");
    }

    void search(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String q = request.getParameter("q");
        PrintWriter w = response.getWriter();
        // ruleid: java-taint-xss
        w.print("<p>No results for " + q + "</p>");
        // ok: java-taint-xss
        w.print("<p>No results for " + HtmlUtils.htmlEscape(q) + "</p>");
        ServletOutputStream body = response.getOutputStream();
        // ruleid: java-taint-xss
        body.println(q);
        PrintWriter log = new PrintWriter(new FileWriter("search.log"));
        // ok: java-taint-xss
        log.println(q);
    }

    byte[] read(File base, String name) throws IOException {
        // ok: java-taint-path-traversal
        File file = new File(base, name);
        // ruleid: java-taint-path-traversal
        new FileInputStream(file);
        // ruleid: java-taint-path-traversal
        file.delete();
        StringBuilder sb = new StringBuilder(name);
        // ok: java-taint-path-traversal
        sb.delete(0, 1);
        File safe = new File(base, FilenameUtils.getName(name));
        // ok: java-taint-path-traversal
        new FileInputStream(safe);
        File fixed = new File(base, "index.html");
        // ok: java-taint-path-traversal
        return Files.readAllBytes(fixed.toPath());
    }

    byte[] readCanonical(File base, String name) throws IOException {
        File file = new File(base, name);
        if (!file.getCanonicalPath().startsWith(base.getCanonicalPath() + File.separator)) {
            throw new SecurityException("outside");
        }
        // ok: java-taint-path-traversal
        return Files.readAllBytes(file.toPath());
    }

    byte[] readChecked(Path root, String name) throws IOException {
        Path p = root.resolve(name).normalize();
        if (!p.startsWith(root)) {
            throw new SecurityException("outside");
        }
        // ok: java-taint-path-traversal
        return Files.readAllBytes(Paths.get(p.toString()));
    }

    void ping(String host) throws IOException {
        // ruleid: java-taint-command-injection
        Runtime.getRuntime().exec("ping -c 1 " + host);
        // ok: java-taint-command-injection
        Runtime.getRuntime().exec(COMMANDS.get(host));
        // ok: java-taint-command-injection
        Runtime.getRuntime().exec(COMMANDS.getOrDefault(host, "uptime"));
        // ruleid: java-taint-command-injection
        new ProcessBuilder("sh", "-c", "ping " + host).start();
        // ok: java-taint-command-injection
        new ProcessBuilder("git", "clone", host).start();
        // ok: java-taint-command-injection
        new ProcessBuilder("ping", "-c", "1", host).start();
        // ok: java-taint-command-injection
        Runtime.getRuntime().exec("uptime");
        // ok: java-taint-command-injection
        Runtime.getRuntime().exec(new String[] {"ping", "-c", "1", host});
        // ruleid: java-taint-command-injection
        Runtime.getRuntime().exec(new String[] {"/bin/sh", "-c", "ping " + host});
    }

    void pingKnown(String host) throws IOException {
        if (!COMMANDS.containsKey(host)) {
            host = "localhost";
        }
        // ok: java-taint-command-injection
        Runtime.getRuntime().exec("ping -c 1 " + host);
    }

    void pingOther(String host, String fallback) throws IOException {
        if (!COMMANDS.containsKey(host)) host = fallback;
        // ruleid: java-taint-command-injection
        Runtime.getRuntime().exec("ping -c 1 " + host);
    }

    void dateIn(String lang, Runtime r) throws IOException {
        String[] env = {"LANG=" + lang};
        // ruleid: java-taint-command-injection
        r.exec(new String[] {"date"}, env);
        // ok: java-taint-command-injection
        r.exec(new String[] {"date"}, new String[] {"LANG=C"});
        ProcessBuilder pb = new ProcessBuilder("date");
        // ruleid: java-taint-command-injection
        pb.environment().put("LANG", lang);
        // ok: java-taint-command-injection
        pb.environment().put("LANG", "C");
    }

    Object eval(ScriptEngine engine, String code) throws Exception {
        // ruleid: java-taint-code-injection
        Object result = engine.eval(code);
        // ok: java-taint-code-injection
        Object constant = engine.eval("1 + 2");
        if (ALLOWED.contains(code)) {
            // ok: java-taint-code-injection
            return engine.eval(code);
        }
        return result;
    }

    String proxy(HttpServletRequest req) throws Exception {
        // ok: java-taint-ssrf
        URL url = new URL(req.getParameter("url"));
        // ruleid: java-taint-ssrf
        InputStream in = url.openStream();
        // ok: java-taint-ssrf
        InputStream fixed = new URL("https://api.example.com/").openStream();
        return read(in) + read(fixed);
    }

    URL open(String u) throws Exception {
        // ok: java-taint-ssrf
        return new URL(u);
    }

    void login(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        // ruleid: java-taint-open-redirect
        resp.sendRedirect(req.getParameter("next"));
        // ok: java-taint-open-redirect
        resp.sendRedirect("/home");
        // ruleid: java-taint-open-redirect
        resp.addHeader(LOCATION_HEADER_KEY, req.getParameter("target"));
        // ruleid: java-taint-open-redirect
        resp.setHeader("location", req.getParameter("target"));
        // ok: java-taint-open-redirect
        // ruleid: java-taint-header-injection
        resp.setHeader("X-Location-Hint", req.getParameter("target"));
    }

    void findUser(HttpServletRequest req, java.sql.Connection conn) throws Exception {
        String name = req.getParameter("name");
        java.sql.Statement st = conn.createStatement();
        String sql = "SELECT * FROM users WHERE name = '" + name + "'";
        // ruleid: java-taint-sql-injection
        st.executeQuery(sql);
        // ruleid: java-taint-sql-injection
        java.sql.PreparedStatement bad = conn.prepareStatement("SELECT * FROM users WHERE name = '" + name + "'");
        // ok: java-taint-sql-injection
        java.sql.PreparedStatement ps = conn.prepareStatement("SELECT * FROM users WHERE name = ?");
        ps.setString(1, name);
        // ok: java-taint-sql-injection
        st.executeQuery("SELECT * FROM users WHERE id = " + Integer.parseInt(req.getParameter("id")));
        // ok: java-taint-sql-injection
        st.executeQuery("SELECT count(*) FROM users");
    }

    void archiveOrders(String table, List<Object[]> ids) {
        String cleanup = "DELETE FROM " + table + " WHERE archived = 1";
        // ruleid: java-taint-sql-injection
        jdbcTemplate.batchUpdate("UPDATE orders SET archived = 1", cleanup);
        // ok: java-taint-sql-injection
        jdbcTemplate.batchUpdate("UPDATE orders SET archived = 1 WHERE id = ?", ids);
        // ruleid: java-taint-sql-injection
        new PreparedStatementCreatorFactory("SELECT * FROM " + table + " WHERE id = ?");
        // ruleid: java-taint-sql-injection
        int n = jdbcTemplate.queryForInt("SELECT count(*) FROM " + table);
    }

    int deleteOrder(String orderId) {
        // ruleid: java-taint-sql-injection
        int n = jdbcTemplate.update("DELETE FROM orders WHERE id = " + orderId);
        // ok: java-taint-sql-injection
        return n + jdbcTemplate.update("DELETE FROM orders WHERE id = ?", orderId);
    }

    void download(HttpServletRequest req) throws IOException {
        String name = req.getParameter("name");
        // ruleid: java-taint-path-traversal
        new FileInputStream(ROOT + "/" + name);
        if (!FileUtil.isInside(ROOT, name)) {
            throw new SecurityException("outside the root");
        }
        // ok: java-taint-path-traversal
        new FileInputStream(ROOT + "/" + name);
    }

    static final java.util.Set<String> ALLOWED_HOSTS = java.util.Set.of("api.example.com");

    String fetchChecked(HttpServletRequest req) throws Exception {
        URL u = new URL(req.getParameter("url"));
        // ruleid: java-taint-ssrf
        String unchecked = read(u.openStream());
        if (!ALLOWED_HOSTS.contains(u.getHost())) {
            throw new IllegalArgumentException("host not allowed");
        }
        // ok: java-taint-ssrf
        HttpURLConnection conn = (HttpURLConnection) u.openConnection();
        return unchecked + read(conn.getInputStream());
    }

    String fetchIfAllowed(HttpServletRequest req, java.net.http.HttpClient client) throws Exception {
        URI uri = URI.create(req.getParameter("url"));
        if (ALLOWED_HOSTS.contains(uri.getHost())) {
            // ok: java-taint-ssrf
            return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
        }
        // ruleid: java-taint-ssrf
        return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    String fetchParsedString(HttpServletRequest req, RestTemplate rest) throws Exception {
        String target = req.getParameter("url");
        URI uri = new URI(target);
        if (!"api.example.com".equals(uri.getHost())) {
            return null;
        }
        // ok: java-taint-ssrf
        return rest.getForObject(target, String.class);
    }

    void fetchClients(@RequestParam String url, java.net.http.HttpClient client, OkHttpClient ok) throws Exception {
        // ruleid: java-taint-ssrf
        HttpRequest r = HttpRequest.newBuilder().uri(URI.create(url)).build();
        // ruleid: java-taint-ssrf
        client.send(r, HttpResponse.BodyHandlers.ofString());
        // ruleid: java-taint-ssrf
        ok.newCall(new Request.Builder().url(url).build()).execute();
        // ruleid: java-taint-ssrf
        HttpGet get = new HttpGet(URI.create(url));
        // ruleid: java-taint-ssrf
        String page = findText(open(new URL(url)), "title");
        // ok: java-taint-ssrf
        Path local = Paths.get(URI.create(url));
    }

    void continueTo(HttpServletRequest req, HttpServletResponse resp) throws Exception {
        URI next = new URI(req.getParameter("next"));
        if (next.getHost() != null && !"app.example.com".equals(next.getHost())) {
            resp.sendRedirect("/");
            return;
        }
        // ok: java-taint-open-redirect
        resp.sendRedirect(next.toString());
    }

    void continueUnchecked(HttpServletRequest req, HttpServletResponse resp) throws Exception {
        URI next = new URI(req.getParameter("next"));
        // ruleid: java-taint-open-redirect
        resp.sendRedirect(next.toString());
    }

    // Stapler (Jenkins): the rest of the request path chooses the resource served
    void doStatic(StaplerRequest req, StaplerResponse rsp) throws Exception {
        String path = req.getRestOfPath();
        // ruleid: java-taint-path-traversal
        rsp.serveFile(req, new URL(baseResourceURL, '.' + path));
        if (path.contains("..") || path.contains("WEB-INF")) {
            rsp.sendError(400);
            return;
        }
        // ok: java-taint-path-traversal
        rsp.serveLocalizedFile(req, new URL(baseResourceURL, '.' + path), -1);
    }

    HttpResponse doResource(StaplerRequest req) throws Exception {
        // ruleid: java-taint-path-traversal
        return HttpResponses.staticResource(new URL(baseResourceURL, req.getRestOfPath()));
    }

    HttpResponse doGo(StaplerRequest req) {
        // ruleid: java-taint-open-redirect
        return HttpResponses.redirectTo(req.getParameter("from"));
    }

    HttpResponse doHome() {
        // ok: java-taint-open-redirect
        return HttpResponses.redirectTo("/");
    }

    // Jenkins: FormValidation.errorWithMarkup shows its message as HTML
    FormValidation doCheckUrl(@QueryParameter String value) {
        if (value.indexOf(' ') >= 0) {
            // ruleid: java-taint-xss
            return FormValidation.errorWithMarkup("Not a URL: <code>" + value + "</code>");
        }
        if (value.endsWith("/")) {
            // ok: java-taint-xss
            return FormValidation.warningWithMarkup("Drop the trailing slash of <code>" + Util.escape(value) + "</code>");
        }
        // ok: java-taint-xss
        return FormValidation.error("Unreachable: " + value);
    }
}

class JoinedNames {
    byte[] readUnder(String base, String name) throws IOException {
        // ok: java-taint-path-traversal
        return Files.readAllBytes(Paths.get(base, Paths.get(name).getFileName().toString()));
    }

    byte[] readJoined(String base, String name) throws IOException {
        // ruleid: java-taint-path-traversal
        return Files.readAllBytes(Paths.get(base, name));
    }
}

class DirectoryLookups extends HttpServlet {
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws Exception {
        String uid = request.getParameter("uid");
        DirContext ctx = new InitialDirContext(environment);
        SearchControls controls = new SearchControls();
        // ruleid: java-taint-ldap-injection
        ctx.search("ou=users,ou=system", "(&(objectclass=person)(uid=" + uid + "))", controls);
        // ok: java-taint-ldap-injection
        ctx.search("ou=users,ou=system", "(&(objectclass=person)(uid={0}))", new Object[] {uid}, controls);
        // ok: java-taint-ldap-injection
        catalog.search(uid, 10, 0);
        javax.naming.directory.InitialDirContext idc = (javax.naming.directory.InitialDirContext) ctx;
        // ruleid: java-taint-ldap-injection
        idc.search("ou=users,ou=system", "(uid=" + uid + ")", new Object[] {}, controls);
        // ok: java-taint-ldap-injection
        index.search("ou=users,ou=system", "(uid=" + uid + ")", controls);

        javax.xml.xpath.XPath xp = XPathFactory.newInstance().newXPath();
        // ruleid: java-taint-xpath-injection
        String street = xp.evaluate("/Employees/Employee[@emplid='" + uid + "']/street", document);
        // ruleid: java-taint-xpath-injection
        NodeList nodes = (NodeList) xp.compile("//Employee[@name='" + uid + "']").evaluate(document, XPathConstants.NODESET);
        // ok: java-taint-xpath-injection
        Pattern pattern = Pattern.compile(uid);
        // ok: java-taint-xpath-injection
        String city = xp.evaluate("/Employees/Employee[1]/city", document);
        response.getWriter().println(Encode.forHtml(street + city + nodes.getLength() + pattern));
    }
}

class Scripts {
    Object run(String code) {
        GroovyShell shell = new GroovyShell();
        // ruleid: java-taint-code-injection
        Object first = shell.evaluate(code);
        // ruleid: java-taint-code-injection
        return new GroovyShell().evaluate(code + first);
    }
}

class RememberMe extends HttpServlet {
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        int r = new java.util.Random().nextInt();
        String rememberMeKey = Integer.toString(r);
        // ruleid: java-taint-predictable-secret
        Cookie cookie = new javax.servlet.http.Cookie("rememberMe", rememberMeKey);
        // ruleid: java-taint-predictable-secret
        request.getSession().setAttribute("rememberMe", rememberMeKey);
        String strong = Long.toString(new SecureRandom().nextLong());
        // ok: java-taint-predictable-secret
        request.getSession().setAttribute("rememberMe", strong);
        // ok: java-taint-predictable-secret
        request.getSession().setAttribute("user", request.getParameter("user"));
        cookie.setSecure(true);
        response.addCookie(cookie);
    }
}

class Decoded extends HttpServlet {
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String note = StringEscapeUtils.unescapeHtml4(request.getParameter("note"));
        // ruleid: java-taint-xss
        response.getWriter().println("<p>" + note + "</p>");
        // ok: java-taint-xss
        response.getWriter().println("<p>" + StringEscapeUtils.escapeHtml4(note) + "</p>");
    }
}

class Reports extends HttpServlet {
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws Exception {
        StringBuilder sql = new StringBuilder("SELECT name FROM users WHERE team = '");
        sql.append(request.getParameter("team")).append("'");
        // ruleid: java-taint-sql-injection
        ResultSet rows = statement.executeQuery(sql.toString());
        StringBuilder fixed = new StringBuilder("SELECT name FROM users WHERE team = ?");
        fixed.append(" ORDER BY name");
        // ok: java-taint-sql-injection
        PreparedStatement prepared = connection.prepareStatement(fixed.toString());
        prepared.setString(1, request.getParameter("team"));
    }
}

class Lookups extends HttpServlet {
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws Exception {
        String name = new String(Base64.decodeBase64(Base64.encodeBase64(request.getParameter("name").getBytes())));
        // ruleid: java-taint-sql-injection
        DatabaseHelper.JDBCtemplate.query("SELECT id FROM users WHERE name = '" + name + "'", mapper);
        // ok: java-taint-sql-injection
        DatabaseHelper.JDBCtemplate.query("SELECT id FROM users WHERE name = ?", mapper, name);
    }
}

class ConsoleTool {
    void run() throws Exception {
        BufferedReader reader = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
        String dir = reader.readLine();
        // ruleid: java-taint-command-injection
        Runtime.getRuntime().exec("ls " + dir);
        // ok: java-taint-command-injection
        Runtime.getRuntime().exec(new String[] {"ls", "/var/log"});
        String name = System.console().readLine("name: ");
        // ruleid: java-taint-sql-injection
        connection.createStatement().executeQuery("SELECT id FROM users WHERE name = '" + name + "'");
        // ok: java-taint-path-traversal
        new FileInputStream(dir);
    }
}

class Errors {
    void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            work(request);
        } catch (Exception e) {
            // ruleid: java-taint-exception-exposed
            response.getWriter().println("Error: " + e.getMessage());
        }
    }

    void trace(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            work(request);
        } catch (IOException e) {
            // ok: java-taint-exception-exposed
            e.printStackTrace(response.getWriter());
        }
    }

    void traced(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            work(request);
        } catch (SQLException e) {
            StringWriter sw = new StringWriter();
            e.printStackTrace(new PrintWriter(sw));
            // ruleid: java-taint-exception-exposed
            response.sendError(500, sw.toString());
        }
    }

    ResponseEntity<String> spring() {
        try {
            return ResponseEntity.ok(work());
        } catch (RuntimeException e) {
            // ruleid: java-taint-exception-exposed
            return ResponseEntity.status(500).body(e.toString());
        }
    }

    ResponseEntity<String> logged() {
        try {
            return ResponseEntity.ok(work());
        } catch (Exception e) {
            log.error("work failed", e);
            // ok: java-taint-exception-exposed
            return ResponseEntity.status(500).body("internal error");
        }
    }

    void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException failed) throws IOException {
        // ruleid: java-taint-exception-exposed
        response.sendError(HttpServletResponse.SC_UNAUTHORIZED, failed.getMessage());
    }

    void commenceLogged(HttpServletRequest request, HttpServletResponse response, AuthenticationException failed) throws IOException {
        log.error("Authentication failed", failed);
        // ok: java-taint-exception-exposed
        response.sendError(HttpServletResponse.SC_UNAUTHORIZED, "Authentication failed");
    }

    void query(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            work(request);
        } catch (SQLException e) {
            // ruleid: java-taint-exception-exposed
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, e.getMessage());
        }
    }

    ResponseEntity<String> validation(String n) {
        try {
            return ResponseEntity.ok(String.valueOf(Integer.parseInt(n)));
        } catch (NumberFormatException e) {
            // ok: java-taint-exception-exposed
            return ResponseEntity.badRequest().body(e.getMessage());
        }
    }

    void deadBranches(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String param = request.getParameter("name");
        int num = 106;
        String never = (7 * 18) + num > 200 ? "constant" : param;
        // ok: java-taint-xss
        response.getWriter().println(never);
        String taken = (7 * 42) - num > 200 ? "constant" : param;
        // ruleid: java-taint-xss
        response.getWriter().println(taken);
        String bar;
        if ((7 * 42) - num > 200) bar = "constant";
        else bar = param;
        // ruleid: java-taint-xss
        response.getWriter().println(bar);
        int other = 86;
        String safe;
        if ((7 * 42) - other > 200) safe = "constant";
        else safe = param;
        // ok: java-taint-xss
        response.getWriter().println(safe);
    }

    void qualifiedNames(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String name = request.getParameter("file");
        // ruleid: java-taint-path-traversal
        java.io.FileInputStream in = new java.io.FileInputStream(new java.io.File("/srv/files/" + name));
        // ruleid: java-taint-path-traversal
        byte[] data = java.nio.file.Files.readAllBytes(java.nio.file.Paths.get("/srv/files", name));
        // ok: java-taint-path-traversal
        java.io.FileInputStream kept = new java.io.FileInputStream(new File("/srv/files", FilenameUtils.getName(name)));
        // ruleid: java-taint-xss
        response.getWriter().write(name, 0, name.length());
        Object[] args = {name, "b"};
        // ruleid: java-taint-xss
        response.getWriter().printf(java.util.Locale.US, "Formatted like: %1$s and %2$s.", args);
        int files = FILE_COUNT;
        // ok: java-taint-xss
        response.getWriter().printf(java.util.Locale.US, "%d files", files);
    }

    void firstUnknownParameter(HttpServletRequest request, HttpServletResponse response) throws IOException {
        java.util.Enumeration<String> names = request.getParameterNames();
        String first = names.hasMoreElements() ? names.nextElement() : "";
        // ruleid: java-taint-xss
        response.getWriter().println("Unknown parameter: " + first);
        // ok: java-taint-xss
        response.getWriter().println("Unknown parameter: " + Encode.forHtml(first));
    }

    void knownName(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String name = request.getParameter("name");
        if (!KNOWN_NAMES.contains(name)) {
            // ruleid: java-taint-xss
            response.getWriter().println("<p>unknown " + name + "</p>");
            return;
        }
        // ok: java-taint-xss
        response.getWriter().println("<p>" + name + "</p>");
    }

    void validName(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String name = request.getParameter("name");
        if (!isValidName(name)) {
            // ruleid: java-taint-xss
            response.getWriter().println("<p>invalid " + name + "</p>");
            return;
        }
        // ok: java-taint-xss
        response.getWriter().println("<p>" + name + "</p>");
    }

    void homeName(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String name = request.getParameter("name");
        if (HOME.equals(name)) {
            // ok: java-taint-xss
            response.getWriter().println("<p>" + name + "</p>");
        }
        if (!name.equals(HOME)) {
            // ruleid: java-taint-xss
            response.getWriter().println("<p>not home " + name + "</p>");
            return;
        }
        // ok: java-taint-xss
        response.getWriter().println("<p>" + name + "</p>");
    }

    void writeZipEntry(java.util.zip.ZipEntry entry, File destinationDir) throws IOException {
        File file = new File(destinationDir, entry.getName());
        // ruleid: java-taint-path-traversal
        FileOutputStream fos = new FileOutputStream(file);
        fos.close();
    }

    void writeCheckedZipEntry(ZipEntry entry, File destinationDir) throws IOException {
        File file = new File(destinationDir, entry.getName());
        if (!file.toPath().normalize().startsWith(destinationDir.toPath())) {
            throw new IOException("Bad zip entry");
        }
        // ok: java-taint-path-traversal
        FileOutputStream fos = new FileOutputStream(file);
        fos.close();
    }

    void unpack(java.util.zip.ZipInputStream zis, File root) throws IOException {
        ZipEntry entry;
        while ((entry = zis.getNextEntry()) != null) {
            // ruleid: java-taint-path-traversal
            new FileOutputStream(new File(root, entry.getName())).close();
        }
    }

    void greetIfGiven(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String name = request.getParameter("name");
        if (!name.equals("")) {
            // ruleid: java-taint-xss
            response.getWriter().println("<p>Hello " + name + "</p>");
        }
        if (!KNOWN_NAMES.contains(name)) {
            return;
        }
        if (!name.equals("")) {
            // ok: java-taint-xss
            response.getWriter().println("<p>Hello " + name + "</p>");
        }
    }

    void showPoll(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String id = request.getParameter("id");
        if (DEFAULT_POLL.equals(id)) {
            // ok: java-taint-xss
            response.getWriter().println("<p>poll " + id + "</p>");
        } else {
            // ruleid: java-taint-xss
            response.getWriter().println("<p>poll " + id + "</p>");
        }
    }

    void knownOrNot(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String name = request.getParameter("name");
        if (KNOWN_NAMES.contains(name)) {
            // ok: java-taint-xss
            response.getWriter().println("<p>" + name + "</p>");
        } else {
            // ruleid: java-taint-xss
            response.getWriter().println("<p>unknown " + name + "</p>");
        }
        if (name.matches("[a-z]+")) {
            // ok: java-taint-xss
            response.getWriter().println("<p>" + name + "</p>");
        } else {
            // ruleid: java-taint-xss
            response.getWriter().println("<p>invalid " + name + "</p>");
        }
    }
}

// a check cleans only where it holds: a passed check its own branch (not the else), a failed one what
// follows it (not its own branch)
class CheckedWhereItHolds extends HttpServlet {
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws Exception {
        String raw = request.getParameter("url");
        URL u = new URL(raw);
        if (ALLOWED_HOSTS.contains(u.getHost())) {
            // ok: java-taint-ssrf
            u.openConnection();
        } else {
            // ruleid: java-taint-ssrf
            u.openConnection();
        }
        if ("api.example.com".equals(u.getHost())) {
            // ok: java-taint-ssrf
            u.openStream();
        } else {
            // ruleid: java-taint-ssrf
            u.openStream();
        }
        if (u.getHost().equalsIgnoreCase("api.example.com")) {
            // ok: java-taint-ssrf
            u.openConnection();
        }
        // ruleid: java-taint-ssrf
        u.openConnection();
        if (!ALLOWED_HOSTS.contains(u.getHost())) {
            // ruleid: java-taint-ssrf
            log(u.openStream());
            return;
        }
        // ok: java-taint-ssrf
        u.openConnection();
    }

    void redirectChecked(HttpServletRequest request, HttpServletResponse response) throws Exception {
        String raw = request.getParameter("next");
        URI u = new URI(raw);
        if (!"app.example.com".equals(u.getHost())) {
            // ruleid: java-taint-open-redirect
            response.sendRedirect(raw);
            // ruleid: java-taint-open-redirect
            response.sendRedirect(u.toString());
            return;
        }
        // ok: java-taint-open-redirect
        response.sendRedirect(raw);
        // ok: java-taint-open-redirect
        response.sendRedirect(u.toString());
    }

    void readChecked(HttpServletRequest request) throws Exception {
        String name = request.getParameter("name");
        if (!FileUtil.isInside(ROOT, name)) {
            // ruleid: java-taint-path-traversal
            new FileInputStream(name);
            return;
        }
        // ok: java-taint-path-traversal
        new FileInputStream(name);
        File f = new File(ROOT, request.getParameter("other"));
        if (!f.getCanonicalPath().startsWith(ROOT)) {
            // ruleid: java-taint-path-traversal
            new FileInputStream(f);
            throw new SecurityException("outside");
        }
        // ok: java-taint-path-traversal
        new FileInputStream(f);
    }

    void readNoDots(HttpServletRequest request) throws Exception {
        String name = request.getParameter("name");
        if (!name.contains("..")) {
            // ok: java-taint-path-traversal
            new FileInputStream(name);
        } else {
            // ruleid: java-taint-path-traversal
            new FileInputStream(name);
        }
        // ruleid: java-taint-path-traversal
        new FileInputStream(name);
        if (name.contains("..") || name.contains("WEB-INF")) {
            // ruleid: java-taint-path-traversal
            new FileInputStream(name);
            return;
        }
        // ok: java-taint-path-traversal
        new FileInputStream(name);
    }
    // a failed check cleans what follows it only when its branch leaves; its else is where it passed
    void runIfKnown(HttpServletRequest request) throws Exception {
        String cmd = request.getParameter("cmd");
        if (!ALLOWED.contains(cmd)) {
            log("unknown command");
        }
        // ruleid: java-taint-command-injection
        Runtime.getRuntime().exec(cmd);
        if (!ALLOWED.contains(cmd)) {
            log("unknown command");
        } else {
            // ok: java-taint-command-injection
            Runtime.getRuntime().exec(cmd);
        }
        if (!isValidName(cmd)) {
            response400();
        } else {
            // ok: java-taint-command-injection
            Runtime.getRuntime().exec(cmd);
        }
    }

    void readIfPlain(HttpServletRequest request) throws Exception {
        String name = request.getParameter("name");
        boolean suspicious = false;
        if (name.contains("..")) {
            suspicious = true;
        }
        // ruleid: java-taint-path-traversal
        new FileInputStream(name);
        if (!name.matches("[a-z]+\\.txt")) {
            log("odd name");
        }
        // ruleid: java-taint-path-traversal
        new FileInputStream(name);
        if (!name.matches("[a-z]+\\.txt")) {
            log("odd name");
        } else {
            // ok: java-taint-path-traversal
            new FileInputStream(name);
        }
        if (name.contains("..")) {
            throw new SecurityException("dots");
        } else {
            // ok: java-taint-path-traversal
            new FileInputStream(name);
        }
    }

    void readUnderRoot(HttpServletRequest request) throws Exception {
        String name = request.getParameter("name");
        if (!FileUtil.isInside(ROOT, name)) {
            log("outside the root");
        }
        // ruleid: java-taint-path-traversal
        new FileInputStream(name);
        if (!FileUtil.isInside(ROOT, name)) {
            log("outside the root");
        } else {
            // ok: java-taint-path-traversal
            new FileInputStream(name);
        }
        File f = new File(ROOT, request.getParameter("other"));
        if (!f.getCanonicalPath().startsWith(ROOT)) {
            log("outside the root");
        }
        // ruleid: java-taint-path-traversal
        new FileInputStream(f);
        if (!f.getCanonicalPath().startsWith(ROOT)) {
            response400();
        } else {
            // ok: java-taint-path-traversal
            new FileInputStream(f);
        }
        Path p = Paths.get(ROOT).resolve(request.getParameter("third")).normalize();
        if (!p.startsWith(ROOT)) {
            log("outside the root");
        }
        // ruleid: java-taint-path-traversal
        Files.readAllBytes(p);
        if (!p.startsWith(ROOT)) {
            log("outside the root");
        } else {
            // ok: java-taint-path-traversal
            Files.readAllBytes(p);
        }
    }

    void readEach(HttpServletRequest request) throws Exception {
        for (String name : request.getParameterValues("name")) {
            if (!KNOWN_NAMES.contains(name)) {
                continue;
            }
            // ok: java-taint-path-traversal
            new FileInputStream(name);
        }
    }

    void fetchIfListed(HttpServletRequest request) throws Exception {
        URL u = new URL(request.getParameter("url"));
        if (!ALLOWED_HOSTS.contains(u.getHost())) {
            log("host not listed");
        }
        // ruleid: java-taint-ssrf
        u.openConnection();
        if (!ALLOWED_HOSTS.contains(u.getHost())) {
            log("host not listed");
        } else {
            // ok: java-taint-ssrf
            u.openStream();
        }
    }

    void redirectIfOurs(HttpServletRequest request, HttpServletResponse response) throws Exception {
        String raw = request.getParameter("next");
        URI u = new URI(raw);
        if (!"app.example.com".equals(u.getHost())) {
            log("foreign redirect");
        }
        // ruleid: java-taint-open-redirect
        response.sendRedirect(raw);
        if (!"app.example.com".equals(u.getHost())) {
            response.sendRedirect("/");
        } else {
            // ok: java-taint-open-redirect
            response.sendRedirect(raw);
        }
    }

    void greetHome(HttpServletRequest request, HttpServletResponse response) throws Exception {
        String name = request.getParameter("name");
        if (!name.equals(HOME)) {
            log("not home");
        } else {
            // ok: java-taint-xss
            response.getWriter().println("<p>" + name + "</p>");
        }
    }
}

class LogCases {
    private static final org.slf4j.Logger LOGGER = org.slf4j.LoggerFactory.getLogger(LogCases.class);

    void failedLogin(HttpServletRequest req) {
        String user = req.getParameter("user");
        // ruleid: java-taint-log-injection
        LOGGER.info("failed login for " + user);
        // ruleid: java-taint-log-injection
        LOGGER.debug("failed login for {}", req.getHeader("X-User"));
        // ok: java-taint-log-injection
        LOGGER.warn("rejected login for " + user);
        // ok: java-taint-log-injection
        LOGGER.info("failed login for " + user.replaceAll("[\r\n]", ""));
        String clean = user.replace('\n', '_').replace('\r', '_');
        // ok: java-taint-log-injection
        LOGGER.info("failed login for {}", clean);
        // ok: java-taint-log-injection
        LOGGER.info("failed login for {}", Encode.forJava(user));
        // ok: java-taint-log-injection
        LOGGER.info("failed login from {}", req.getRemoteAddr());
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("auth");
        // ruleid: java-taint-log-injection
        log.log(Level.FINE, "failed login for {0}", user);
        // ok: java-taint-log-injection
        log.log(Level.WARNING, "rejected login for {0}", user);
    }

    void checkHeader(HttpServletResponse rsp, Parameters params) {
        // ok: java-taint-log-injection
        LOGGER.info("sent header " + rsp.getHeader("Content-Security-Policy"));
        // ok: java-taint-log-injection
        LOGGER.info("looking up " + params.getParameter(0));
    }

    void process(String name) {
        // ok: java-taint-log-injection
        LOGGER.info("processing " + name);
    }

    // a branch that ends in an if/else whose branches both leave leaves; one whose else falls through does not
    void runTool(HttpServletRequest request) throws IOException {
        String tool = request.getParameter("tool");
        if (!ALLOWED_TOOLS.contains(tool)) {
            LOGGER.warning("unknown tool");
            if (request.getParameter("quiet") != null) {
                return;
            } else {
                throw new IllegalArgumentException("unknown tool");
            }
        }
        // ok: java-taint-command-injection
        Runtime.getRuntime().exec("run " + tool);
        String other = request.getParameter("other");
        if (!ALLOWED_TOOLS.contains(other)) {
            LOGGER.warning("unknown tool");
            if (request.getParameter("strict") != null) {
                return;
            } else {
                LOGGER.warning("running it anyway");
            }
        }
        // ruleid: java-taint-command-injection
        Runtime.getRuntime().exec("run " + other);
    }
}

// A request value or a typed line as the name of the class loaded or the method looked up
class PluginServlet extends HttpServlet {
    private static final java.util.Set<String> PLUGINS = java.util.Set.of("com.example.CsvExport", "com.example.PdfExport");

    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws Exception {
        String name = request.getParameter("plugin");
        // ruleid: java-taint-unsafe-reflection
        Class<?> cls = Class.forName(name);
        Object plugin = cls.getDeclaredConstructor().newInstance();
        // ruleid: java-taint-unsafe-reflection
        java.lang.reflect.Method m = plugin.getClass().getMethod(request.getParameter("action"));
        m.invoke(plugin);
        // ok: java-taint-unsafe-reflection
        Class<?> fixed = Class.forName("com.example.CsvExport");
        response.getWriter().println(fixed.getName());
    }

    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws Exception {
        String name = request.getParameter("plugin");
        if (!PLUGINS.contains(name)) {
            response.sendError(400);
            return;
        }
        // ok: java-taint-unsafe-reflection
        Class<?> cls = Class.forName(name);
        response.getWriter().println(cls.getSimpleName());
    }

    Object load(String className) throws Exception {
        // ok: java-taint-unsafe-reflection
        return Class.forName(className).getDeclaredConstructor().newInstance();
    }

    void fromConsole() throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String data = in.readLine();
        // ruleid: java-taint-unsafe-reflection
        Object o = Thread.currentThread().getContextClassLoader().loadClass(data).getDeclaredConstructor().newInstance();
        System.out.println(o);
    }
}

class FormatCases {
    String greeting(HttpServletRequest req, java.io.PrintWriter out) {
        String template = req.getParameter("template");
        // ruleid: java-taint-format-string
        String text = String.format(template, req.getRemoteUser());
        // ruleid: java-taint-format-string
        out.printf(Locale.ROOT, req.getParameter("suffix"), new java.util.Date());
        // ok: java-taint-format-string
        text += String.format("%s %s", template, req.getRemoteUser());
        // ok: java-taint-format-string
        out.printf("%s%n", template);
        return text;
    }
}

class HeaderCases {
    void download(HttpServletRequest request, HttpServletResponse response) {
        String name = request.getParameter("name");
        // ruleid: java-taint-header-injection
        response.setHeader("Content-Disposition", "attachment; filename=" + name);
        // ruleid: java-taint-header-injection
        response.addCookie(new Cookie("lang", request.getParameter("lang")));
        // ok: java-taint-header-injection
        response.setHeader("Content-Disposition", "attachment; filename=" + name.replaceAll("[\r\n]", ""));
        // ok: java-taint-header-injection
        response.setHeader("Content-Disposition", "attachment; filename=" + URLEncoder.encode(name, "UTF-8"));
        // ok: java-taint-header-injection
        response.setHeader("Access-Control-Allow-Origin", request.getHeader("Origin"));
    }
}

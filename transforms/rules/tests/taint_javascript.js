const child_process = require("child_process");
const fs = require("fs");
const path = require("path");

function renderComment(el, comment) {
  // ruleid: js-taint-xss
  el.innerHTML = "<p>" + comment + "</p>";
  // ok: js-taint-xss
  el.innerHTML = "<p>" + escapeHtml(comment) + "</p>";
  // ok: js-taint-xss
  el.textContent = comment;
  // ok: js-taint-xss
  el.innerHTML = "<p>fixed</p>";
}

const showName = (name) => {
  // ruleid: js-taint-xss
  $("#name").html(name);
  // ok: js-taint-xss
  $("#name").text(name);
  // ruleid: js-taint-xss
  $("#list").append("<li>" + name + "</li>");
  // ok: js-taint-xss
  $("#list").append($("<li>").text(name));
  // ok: js-taint-xss
  $("#list").append(document.createTextNode(name));
  const txt = document.createTextNode.bind(document);
  // ok: js-taint-xss
  $("#list").append(txt(`URL: ${window.location.href}`));
};

app.get("/hello", (req, res) => {
  // ruleid: js-taint-xss
  res.send("Hello " + req.query.name);
  // ok: js-taint-xss
  res.send("Hello " + escape(req.query.name));
  // ok: js-taint-xss
  res.send("Hello world");
  // ruleid: js-taint-path-traversal
  res.write(fs.readFileSync(req.query.page));
  // ruleid: js-taint-xss, js-taint-path-traversal
  res.write(fs.readFileSync(req.query.page) + req.query.name);
  // ok: js-taint-path-traversal
  res.write(fs.readFileSync(path.extname(req.query.page)));
  // ok: js-taint-path-traversal
  res.write(fs.readFileSync(req.query.page.replace(/[./]/g, "")));
  // ok: js-taint-path-traversal
  res.write(fs.readFileSync(req.query.page.replace(/\//g, "")));
  // ruleid: js-taint-path-traversal
  res.write(fs.readFileSync(req.query.page.replace(/\./g, "")));
});

app.get("/doc", (req, res) => {
  const page = req.query.page;
  if (page === "terms.html" || page === "privacy.html")
    // ok: js-taint-path-traversal
    res.write(fs.readFileSync(page));
  // ok: js-taint-path-traversal
  if (ALLOWED_PAGES.includes(page)) res.write(fs.readFileSync(page));
  if (page !== "terms.html")
    // ruleid: js-taint-path-traversal
    res.write(fs.readFileSync(page));
  if (page === "terms.html" || req.user.isAdmin()) {
    // ruleid: js-taint-path-traversal
    res.write(fs.readFileSync(page));
  }
});

app.post("/contact", (req, res) => {
  // ok: js-taint-xss
  transporter.sendMail({ to: OWNER, text: `Message: ${req.body.message}` });
  // ruleid: js-taint-xss
  transporter.sendMail({ to: OWNER, html: `<p>Message: ${req.body.message}</p>` });
  // ok: js-taint-xss
  transporter.sendMail({ to: OWNER, html: `<p>Message: ${escapeHtml(req.body.message)}</p>` });
});

function echoPage() {
  // ruleid: js-taint-xss
  document.write("You are at " + document.location);
  // ruleid: js-taint-xss
  $("#preview").html(document.querySelectorAll("textarea")[0].value);
  // ruleid: js-taint-xss
  $("#preview").html($("#note").prop("innerText"));
  // ok: js-taint-xss
  $("#preview").html($("#note").prop("id"));
}

app.get("/go", (req, res) => {
  const target = req.query.target;
  if (SAFE_TARGETS.hasOwnProperty(target))
    // ok: js-taint-open-redirect
    res.redirect(target);
  if (target in allowedTargets) {
    // ok: js-taint-open-redirect
    res.redirect(target);
  }
  if (!SAFE_TARGETS[target]) {
    // ruleid: js-taint-open-redirect
    res.redirect(target);
  }
  if (visits[target]) {
    // ruleid: js-taint-open-redirect
    res.redirect(target);
  }
  if (isLocalUrl(target))
    // ok: js-taint-open-redirect
    res.redirect(target);
  if (target.startsWith("https://example.com/" + section))
    // ok: js-taint-open-redirect
    res.redirect(target);
  if (!urls.isSameOrigin(target)) {
    // ruleid: js-taint-open-redirect
    res.redirect(target);
  }
});

app.get("/raw", async (req, res) => {
  // ruleid: js-taint-path-traversal
  res.send(await readFile(req.query.file, "utf8"));
  // ruleid: js-taint-path-traversal
  res.send(gracefulFs.readFileSync(req.query.file));
  // ok: js-taint-path-traversal
  res.send(await readFile(path.join(ROOT, path.basename(req.query.file)), "utf8"));
});

app.get("/tool", (req, res) => {
  const tool = req.query.tool;
  // ruleid: js-taint-program-from-request
  cp.execFile(tool, ["--version"]);
  // ruleid: js-taint-program-from-request
  spawn(req.body.program);
  // ok: js-taint-program-from-request
  cp.execFile("git", ["log", "--", req.query.path]);
  // ok: js-taint-program-from-request
  cp.execFile(TOOLS[tool], ["--version"]);
});

function runTool(program, args) {
  // ok: js-taint-program-from-request
  return cp.spawn(program, args);
}

window.addEventListener("message", (event) => {
  const message = JSON.parse(event.data);
  // ruleid: js-taint-xss
  $("<a>").attr("onclick", message.payload);
  // ok: js-taint-xss
  $("<a>").attr("title", message.payload);
});

function fromUrl() {
  const q = location.hash.substring(1);
  // ruleid: js-taint-xss
  document.write(q);
  const local = "static";
  // ok: js-taint-xss
  document.write(local);
}

function serveFile(req, res) {
  const name = req.params.name;
  // ruleid: js-taint-path-traversal
  fs.readFile(path.join(__dirname, "files", name), (err, data) => res.end(data));
  // ok: js-taint-path-traversal
  fs.readFile(path.join(__dirname, "files", path.basename(name)), (err, data) => res.end(data));
  // ok: js-taint-path-traversal
  res.sendFile(path.join(__dirname, "static", "index.html"));
}

function download(root, file, res) {
  const full = path.resolve(root, file);
  if (!full.startsWith(root + path.sep)) {
    return res.status(403).end();
  }
  // ok: js-taint-path-traversal
  res.sendFile(full);
}

function download2(root, file, res) {
  const full = path.resolve(root, file);
  // ruleid: js-taint-path-traversal
  res.sendFile(full);
}

function ping(host) {
  // ruleid: js-taint-command-injection
  child_process.exec("ping -c 1 " + host);
  // ok: js-taint-command-injection
  child_process.exec(COMMANDS[host]);
  // ok: js-taint-command-injection
  child_process.exec(TOOLS.get(host) || "uptime");
  // ok: js-taint-command-injection
  child_process.execFile("ping", ["-c", "1", host]);
  // ok: js-taint-command-injection
  child_process.exec("ls -l");
  // ok: js-taint-command-injection
  /a+/.exec(host);
}

function calc(expr) {
  // ruleid: js-taint-code-injection
  return String(eval(expr));
}

const OPS = ["add", "sub"];
function op(name, a, b) {
  if (OPS.includes(name)) {
    // ok: js-taint-code-injection
    return Function("a", "b", "return " + name + "(a, b)")(a, b);
  }
  // ruleid: js-taint-code-injection
  return new Function("a", "b", "return a " + name + " b")(a, b);
}

function timer() {
  // ok: js-taint-code-injection
  setTimeout(() => console.log("x"), 10);
}

app.get("/preview", (req, res) => {
  // ruleid: js-taint-code-injection
  const page = ejs.render(req.body.template, { user: req.user });
  // ruleid: js-taint-code-injection
  const fn = pug.compile(req.query.layout);
  // ok: js-taint-code-injection
  const safe = ejs.render(PAGE_TEMPLATE, { name: req.query.name });
  // ok: js-taint-code-injection
  res.render(VIEWS[req.query.view], { name: req.query.name });
  res.json({ page, layout: fn(), safe });
});

app.get("/proxy", async (req, res) => {
  // ruleid: js-taint-ssrf
  const r = await axios.get(req.query.url);
  // ok: js-taint-ssrf
  const s = await axios.get("https://api.example.com/items");
  res.json([r.data, s.data]);
});

function fetchUrl(url) {
  // ok: js-taint-ssrf
  return fetch(url);
}

function drawLink(elem, link) {
  const linkElem = elem.append("a");
  // ruleid: js-taint-script-url
  linkElem.attr("xlink:href", link);
  // ok: js-taint-script-url
  linkElem.attr("xlink:href", sanitizeUrl(link));
  // ok: js-taint-script-url
  linkElem.attr("href", "#" + link);
  // ok: js-taint-script-url
  linkElem.attr("title", link);
  const a = document.createElement("a");
  // ruleid: js-taint-script-url
  a.setAttribute("href", link);
  // ruleid: js-taint-script-url
  a.href = new URLSearchParams(location.search).get("next");
  // ok: js-taint-script-url
  a.href = `/users/${link}`;
  // ok: js-taint-script-url
  location.href = link;
  const image = link.startsWith("data:image/png;base64") ? link : sanitizeUrl(link);
  // ok: js-taint-script-url
  linkElem.attr("xlink:href", image);
  if (link.startsWith("https://")) {
    // ok: js-taint-script-url
    a.href = link;
  } else {
    // ruleid: js-taint-script-url
    a.href = link;
  }
}

app.get("/login", (req, res) => {
  // ruleid: js-taint-open-redirect
  res.redirect(req.query.next);
  // ok: js-taint-open-redirect
  res.redirect("/home");
  // ok: js-taint-open-redirect
  res.redirect("/users/" + req.params.user);
  // ok: js-taint-open-redirect
  res.redirect(`/users/${req.params.user}`);
  // ok: js-taint-open-redirect
  res.redirect("users/" + req.params.user);
  // ruleid: js-taint-open-redirect
  res.redirect("u" + req.params.user);
  // ok: js-taint-open-redirect
  res.redirect(baseUrl() + "?target=" + req.query.target);
  // ruleid: js-taint-open-redirect
  res.redirect("/" + req.query.path);
  // ruleid: js-taint-open-redirect
  res.redirect(`//${req.query.host}/home`);
  // ruleid: js-taint-open-redirect
  res.redirect(req.query.next + "?from=login");
});

app.get("/login2", (req, res) => {
  const next = req.query.next;
  if (!/^\/[a-z]*$/.test(next)) {
    return res.redirect("/");
  }
  // ok: js-taint-open-redirect
  res.redirect(next);
});

app.get("/user", (req, res) => {
  const name = req.query.name;
  // ruleid: js-taint-sql-injection
  connection.query("SELECT * FROM users WHERE name = '" + name + "'", (err, rows) => res.json(rows));
  // ok: js-taint-sql-injection
  connection.query("SELECT * FROM users WHERE name = ?", [name], (err, rows) => res.json(rows));
});

async function deleteUser(pool, id) {
  const sql = `DELETE FROM users WHERE id = ${id}`;
  // ruleid: js-taint-sql-injection
  await db.query(sql);
  // ok: js-taint-sql-injection
  await db.query("DELETE FROM users WHERE id = $1", [id]);
  // ok: js-taint-sql-injection
  await db.query(`DELETE FROM users WHERE id = ${parseInt(id, 10)}`);
  // ok: js-taint-sql-injection
  await db.query("SELECT 1");
  // ok: js-taint-sql-injection
  await db.query(SQL`DELETE FROM users WHERE id = ${id}`);
  const stmt = sql`DELETE FROM users WHERE id = ${id}`;
  // ok: js-taint-sql-injection
  await pool.query(stmt);
}

app.get("/upload", async (req, res) => {
  const filePath = path.join(uploadRoot, req.query.file);
  if (!file.isPathInside(filePath, uploadRoot)) {
    return res.status(403).end();
  }
  // ok: js-taint-path-traversal
  res.sendFile(filePath);
});

app.get("/greet", (req, res) => {
  // ruleid: js-taint-xss
  res.status(200).send("<h1>Hello " + req.query.name + "</h1>");
  // ok: js-taint-xss
  res.status(200).send("<h1>Hello " + he.encode(req.query.name) + "</h1>");
  // ruleid: js-taint-xss
  res.end("<p>" + req.params.id + "</p>");
  // ok: js-taint-xss
  res.end("<p>" + escapeHtml(req.params.id) + "</p>");
  // ok: js-taint-xss
  res.type("html").send(DOMPurify.sanitize(req.body.comment));
  // ruleid: js-taint-xss
  res.type("html").send(req.body.comment);
  // ok: js-taint-xss
  res.type("html").send(filterXSS(req.body.comment));
});

function onUsernameInput() {
  // ruleid: js-taint-xss
  $("#yourUsername").html(this.value.length > 0 ? this.value : "username");
  // ok: js-taint-xss
  $("#yourUsername").text(this.value.length > 0 ? this.value : "username");
}

window.addEventListener("message", (event) => {
  // ruleid: js-taint-xss
  document.getElementById("out").innerHTML = event.data;
  // ok: js-taint-xss
  document.getElementById("out").textContent = event.data;
});

function pingKnown(host) {
  if (!ALLOWED_HOSTS.includes(host)) host = "localhost";
  // ok: js-taint-command-injection
  child_process.exec("ping -c 1 " + host);
}

function pingKnownLogged(host) {
  if (ALLOWED_HOSTS.indexOf(host) === -1) {
    console.warn("unknown host", host);
    host = DEFAULT_HOST;
  }
  // ok: js-taint-command-injection
  child_process.exec("ping -c 1 " + host);
}

function pingLogged(host, fallback) {
  if (!ALLOWED_HOSTS.includes(host)) {
    console.warn("unknown host", host);
  }
  // ruleid: js-taint-command-injection
  child_process.exec("ping -c 1 " + host);
  if (!ALLOWED_HOSTS.includes(host)) host = fallback;
  // ruleid: js-taint-command-injection
  child_process.exec("ping -c 1 " + host);
}

function runTool(req) {
  // ruleid: js-taint-command-injection
  child_process.spawn("sh", ["-c", "convert " + req.query.file]);
  // ok: js-taint-command-injection
  child_process.spawn("convert", [req.query.file, "out.png"]);
  // ruleid: js-taint-command-injection
  child_process.execFileSync("/bin/bash", ["-c", req.body.script]);
  // ok: js-taint-command-injection
  child_process.exec("convert " + shellEscape([req.query.file]));
}

const ALLOWED_HOSTS = ["api.example.com", "cdn.example.com"];

app.get("/preview", async (req, res) => {
  const target = new URL(req.query.url);
  // ruleid: js-taint-ssrf
  const unchecked = await fetch(target);
  if (!ALLOWED_HOSTS.includes(target.hostname)) {
    return res.status(400).end();
  }
  // ok: js-taint-ssrf
  const page = await fetch(target);
  res.json([unchecked.status, page.status]);
});

app.get("/continue", (req, res) => {
  const next = new URL(req.query.next, "https://app.example.com");
  if (next.origin !== "https://app.example.com") {
    return res.redirect("/");
  }
  // ok: js-taint-open-redirect
  res.redirect(next.href);
});

function returnTo(url) {
  const next = window.name;
  if (next.startsWith("https://app.example.com/")) {
    // ok: js-taint-open-redirect
    location.href = next;
  }
  if (next.startsWith("/") && !next.startsWith("//")) {
    // ok: js-taint-open-redirect
    location.href = next;
  }
  if (next.startsWith("/")) {
    // ruleid: js-taint-open-redirect
    location.href = next;
  }
  if (next.startsWith("https://app.example.com")) {
    // ruleid: js-taint-open-redirect
    location.href = next;
  }
}

function goBack() {
  // ruleid: js-taint-open-redirect
  window.location = document.location.search.substr(1);
  // ruleid: js-taint-open-redirect
  location.href = window.name;
  // ok: js-taint-open-redirect
  location.href = "/search" + document.location.search;
}

app.get("/continue2", (req, res) => {
  const next = new URL(req.query.next, "https://app.example.com");
  // ruleid: js-taint-open-redirect
  res.redirect(next.href);
});

function evaluate(expr) {
  // ruleid: js-taint-code-injection
  return Number(eval(expr));
}

function evaluateChecked(expr) {
  if (/[^0-9+\-*/(). ]/.test(expr)) {
    throw new Error("unexpected character");
  }
  // ok: js-taint-code-injection
  return Function('"use strict"; return (' + expr + ")")();
}

function evaluateLogged(expr) {
  if (/[^0-9+\-*/(). ]/.test(expr)) console.warn("unexpected character");
  // ruleid: js-taint-code-injection
  return Function('"use strict"; return (' + expr + ")")();
}

function evaluateValidated(expr) {
  if (!isValidExpression(expr)) throw new Error("invalid");
  // ok: js-taint-code-injection
  return new Function("return " + expr)();
}

function evaluateWrongWay(expr) {
  if (!isInvalidExpression(expr)) throw new Error("invalid");
  // ruleid: js-taint-code-injection
  return new Function("return " + expr)();
}

function runChecked(host) {
  if (containsIllegalChars(host)) {
    return null;
  }
  // ok: js-taint-command-injection
  child_process.exec("ping -c 1 " + host);
  const kept = host.replace(/[^a-zA-Z0-9.-]/g, "");
  // ok: js-taint-command-injection
  child_process.exec("ping -c 1 " + kept);
}

function runStripped(host) {
  const stripped = host.replace(/;/g, "");
  // ruleid: js-taint-command-injection
  child_process.exec("ping -c 1 " + stripped);
}

app.get("/static", (req, res) => {
  // ok: js-taint-path-traversal
  res.sendFile(req.params.name, { root: path.join(__dirname, "public") });
  const options = { root: path.join(__dirname, "public"), dotfiles: "deny" };
  // ok: js-taint-path-traversal
  res.sendFile(req.params.name, options);
  const full = path.join(__dirname, "public", req.params.name);
  if (full.indexOf(path.join(__dirname, "public")) !== 0) {
    return res.status(403).end();
  }
  // ok: js-taint-path-traversal
  fs.createReadStream(full).pipe(res);
});

app.get("/static2", (req, res) => {
  const full = path.resolve(publicRoot, req.query.file);
  const rel = path.relative(publicRoot, full);
  if (rel.startsWith("..") || path.isAbsolute(rel)) {
    return res.status(403).end();
  }
  // ok: js-taint-path-traversal
  fs.createReadStream(full).pipe(res);
  const safe = path.normalize(req.query.file).replace(/^(\.\.(\/|\\|$))+/, "");
  // ok: js-taint-path-traversal
  fs.readFile(path.join(publicRoot, safe), (err, data) => res.end(data));
  // ruleid: js-taint-path-traversal
  res.sendFile(req.query.file);
});

function copyTitle() {
  // ruleid: js-taint-xss
  $("#preview").html($(this).attr("title"));
  // ok: js-taint-xss
  $("#preview").text($(this).attr("title"));
  // ruleid: js-taint-xss
  document.getElementById("out").innerHTML = document.getElementById("in").textContent;
  // ok: js-taint-xss
  $("#preview").html($(this).attr("id") + " selected");
  // ok: js-taint-xss
  $("#preview").html($(".card").attr({ "data-state": "open" }));
  // ok: js-taint-xss
  document.write(document.location.href.charCodeAt(0));
  // ruleid: js-taint-xss
  document.write(document.location.href.charAt(0));
}

app.get("/echo", (req, res) => {
  // ok: js-taint-xss
  res.type("text/plain").send("You said " + req.query.q);
});

app.get("/echo-html", (req, res) => {
  // ruleid: js-taint-xss
  res.type("html").send("You said " + req.query.q);
});

app.get("/echo2", (req, res) => {
  res.set("Content-Type", "text/plain; charset=utf-8");
  // ok: js-taint-xss
  res.send("You said " + req.query.q);
});

app.get("/echo3", (req, res) => {
  res.setHeader("Content-Type", "text/html");
  // ruleid: js-taint-xss
  res.send("You said " + req.query.q);
});

app.get("/echo4", (req, res) => {
  res.writeHead(200, { "Content-Type": "application/json" });
  // ok: js-taint-xss
  res.end("{\"said\": \"" + req.query.q + "\"}");
});

app.get("/say", (req, res) => {
  const q = req.query.q;
  // ok: js-taint-xss
  res.send("<p>" + q.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;") + "</p>");
  // ok: js-taint-xss
  res.send("<p>" + String(q).replace(/[&<>"']/g, (c) => ENTITIES[c]) + "</p>");
  // ok: js-taint-xss
  res.send("<p>" + xssFilters.inHTMLData(q) + "</p>");
  // ruleid: js-taint-xss
  res.send("<p>" + q.replace(/<script>/gi, "") + "</p>");
});

function previewInFrame(frame, markup) {
  // ruleid: js-taint-xss
  frame.srcdoc = markup;
  // ok: js-taint-xss
  frame.srcdoc = DOMPurify.sanitize(markup);
  // ruleid: js-taint-xss
  document.body.append(document.createRange().createContextualFragment(markup));
}

app.get("/hi", (req, res) => {
  let name = req.query.name;
  const shown = escapeHtml(name);
  // ok: js-taint-xss
  res.send("Hi " + shown);
  name = validator.escape(name);
  // ok: js-taint-xss
  res.send("Hi " + name);
});

function CommentBody({ body }) {
  // ruleid: js-taint-xss
  return <div className="comment" dangerouslySetInnerHTML={{ __html: body }} />;
}

function SafeCommentBody({ body }) {
  // ok: js-taint-xss
  return <div className="comment" dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(body) }} />;
}

const ARITHMETIC = /^[0-9+*\/ ().-]+$/;
function calcChecked(expr) {
  if (!ARITHMETIC.test(expr)) {
    throw new Error('not arithmetic');
  }
  // ok: js-taint-code-injection
  return Function('return (' + expr + ')')();
}
function calcCheckedByLowercaseName(expr, validator) {
  if (!validator.test(expr)) {
    throw new Error('rejected');
  }
  // ruleid: js-taint-code-injection
  return Function('return (' + expr + ')')();
}

function readUnder(dir, name) {
  // ok: js-taint-path-traversal
  return fs.readFileSync(path.join(dir, path.basename(name)));
}

function readJoined(dir, name) {
  // ruleid: js-taint-path-traversal
  return fs.readFileSync(path.join(dir, name));
}

$.widget("ui.notice", {
  _create: function () {
    // ruleid: js-taint-xss
    this.title = $("<span>").html(this.options.title);
    // ok: js-taint-xss
    this.label = $("<span>").text(this.options.title);
  }
});

function toggleTarget() {
  const $this = $(this);
  const selector = $this.attr("data-target");
  // ruleid: js-taint-jquery-selector
  const $target = $(selector);
  // ok: js-taint-jquery-selector
  const $found = $(document).find(selector);
  // ok: js-taint-jquery-selector
  const $byId = $("#" + selector);
  const tab = location.hash;
  // ruleid: js-taint-jquery-selector
  $(tab).addClass("active");
  // ok: js-taint-jquery-selector
  $(tab.replace(/[^\w-]/g, "")).addClass("active");
  // ok: js-taint-jquery-selector
  $($.escapeSelector(tab)).addClass("active");
}

function onClick(target) {
  // ok: js-taint-jquery-selector
  $(target).toggleClass("open");
}

function renderTags(tags) {
  const html = [];
  for (const tag of tags) {
    html.push('<li>' + tag.name + '</li>');
  }
  // ruleid: js-taint-xss
  document.getElementById('tags').innerHTML = html.join('');
  const safe = [];
  safe.push('<li>none</li>');
  // ok: js-taint-xss
  document.getElementById('empty').innerHTML = safe.join('');
}

class ProductTable {
  trustProductDescription (tableData) {
    for (let i = 0; i < tableData.length; i++) {
      // ruleid: js-taint-xss
      tableData[i].description = this.sanitizer.bypassSecurityTrustHtml(tableData[i].description)
    }
  }

  trustedLogo () {
    // ok: js-taint-xss
    return this.sanitizer.bypassSecurityTrustHtml('<img src="assets/logo.png">')
  }
}

function updateProductReviews () {
  return (req, res) => {
    db.reviewsCollection.update(
      // ruleid: js-taint-nosql-injection
      { _id: req.body.id },
      { $set: { message: req.body.message } },
      { multi: true }
    ).then((result) => res.json(result))
  }
}

function updateProductReviewsChecked () {
  return (req, res) => {
    if (typeof req.body.id !== 'string') {
      res.status(400).send()
      return
    }
    // ok: js-taint-nosql-injection
    db.reviewsCollection.update({ _id: req.body.id }, { $set: { message: req.body.message } })
      .then((result) => res.json(result))
  }
}

async function orders (req, res) {
  // ok: js-taint-sql-injection
  const rows = await sql.query`SELECT * FROM orders WHERE id = ${req.params.id}`
  res.json(rows)
}

async function search (req, res) {
  // ruleid: js-taint-nosql-injection
  const matching = await Post.where(req.body.filter).exec()
  // ruleid: js-taint-nosql-injection
  const stats = await Post.aggregate([{ $match: req.body.filter }])
  // ok: js-taint-nosql-injection
  const published = await Post.where({ published: true }).exec()
  const query = {}
  query.title = req.body.title
  // ruleid: js-taint-nosql-injection
  Post.findOne(query, (err, post) => {
    // ok: js-taint-nosql-injection
    if (err) return err.count(query)
    res.json({ matching, stats, published, post })
  })
}

async function login (req, res) {
  // ruleid: js-taint-nosql-injection
  const user = await User.findOne({ name: req.body.name, password: req.body.password })
  // ruleid: js-taint-nosql-injection
  const found = await User.find(req.query)
  // ok: js-taint-nosql-injection
  const byName = await User.findOne({ name: String(req.body.name), password: { $eq: req.body.password } })
  // ok: js-taint-nosql-injection
  const byId = await User.findOne({ _id: req.params.id })
  // ok: js-taint-nosql-injection
  const first = req.body.items.find((item) => item.id === req.body.id)
  res.json({ user, found, byName, byId, first })
}

async function search (req, res) {
  const filter = {}
  filter.title = req.query.title
  // ruleid: js-taint-nosql-injection
  const hits = await Post.find(filter)
  const safe = {}
  safe.title = String(req.query.title)
  // ok: js-taint-nosql-injection
  const more = await Post.find(safe)
  const ids = [1, 2]
  // ok: js-taint-nosql-injection
  const chosen = ids.find((id) => id === req.query.id)
  const cond = req.query.cond
  // ruleid: js-taint-nosql-injection
  await Document.deleteMany(cond)
  // ruleid: js-taint-nosql-injection
  await db.collection('posts').findOne(cond)
  // ok: js-taint-nosql-injection
  const digest = crypto.createHash('sha256').update(cond).digest('hex')
  const wanted = req.body.tags
  // ok: js-taint-nosql-injection
  const tag = tags.find(wanted)
  // ok: js-taint-nosql-injection
  await Document.deleteMany(String(cond))
  const checkFilter = ajv.compile(FILTER_SCHEMA)
  if (checkFilter(cond)) {
    // ok: js-taint-nosql-injection
    await Document.find(cond)
  }
  if (ajv.validate(FILTER_SCHEMA, cond)) {
    // ok: js-taint-nosql-injection
    await Document.find(cond)
  }
  if (isPresent(cond)) {
    // ruleid: js-taint-nosql-injection
    await Document.find(cond)
  }
  res.json({ hits, more, chosen, digest, tag })
}

app.get('/run', async (req, res) => {
  try {
    res.json(await work());
  } catch (err) {
    // ruleid: js-taint-stack-trace-exposed
    res.status(500).send(err.stack);
  }
});

app.use((err, req, res, next) => {
  // ruleid: js-taint-stack-trace-exposed
  res.status(500).json({ message: err.message, stack: err.stack });
});

app.get('/raw', (req, res) => {
  try {
    work();
  } catch (err) {
    // ruleid: js-taint-stack-trace-exposed
    res.writeHead(500).end(err.stack);
  }
});

app.use((err, req, res, next) => {
  logger.error(err.stack);
  // ok: js-taint-stack-trace-exposed
  res.status(500).json({ message: 'Internal error' });
});

router.get('/k', async (ctx) => {
  try {
    ctx.body = await work();
  } catch (e) {
    // ruleid: js-taint-stack-trace-exposed
    ctx.body = `failed: ${e.stack}`;
  }
});

const KNOWN_NAMES = ['ada', 'alan'];
app.get('/known', function (req, res) {
  const name = req.query.name;
  if (!KNOWN_NAMES.includes(name)) {
    // ruleid: js-taint-xss
    res.send("<p>unknown " + name + "</p>");
    return;
  }
  // ok: js-taint-xss
  res.send("<p>" + name + "</p>");
});

app.get('/home', function (req, res) {
  const name = req.query.name;
  if (name !== HOME_NAME) {
    // ruleid: js-taint-xss
    res.send("<p>not home: " + name + "</p>");
    return;
  }
  // ok: js-taint-xss
  res.send("<p>" + name + "</p>");
});

app.get('/valid', function (req, res) {
  const name = req.query.name;
  if (!isValidName(name)) {
    // ruleid: js-taint-xss
    res.send("<p>invalid " + name + "</p>");
    return;
  }
  // ok: js-taint-xss
  res.send("<p>" + name + "</p>");
});

const xpath = require('xpath');
app.get('/home-dir', function (req, res) {
  const userName = req.param("userName");
  // ruleid: js-taint-xpath-injection
  const bad = xpath.parse("//users/user[login/text()='" + userName + "']/home_dir/text()");
  // ok: js-taint-xpath-injection
  const good = xpath.parse("//users/user[login/text()=$userName]/home_dir/text()");
  good.select({ node: root, variables: { userName: userName } });
  bad.select({ node: root });
  // ruleid: js-taint-xpath-injection
  xpath.select(`//users/user[@id='${req.query.id}']`, root);
  // ruleid: js-taint-xpath-injection
  document.evaluate("//a[@title='" + userName + "']", document, null, XPathResult.ANY_TYPE, null);
});

app.get('/login/next', function (req, res) {
  // ruleid: js-taint-open-redirect
  res.redirect(req.param("next"));
});

app.get('/some/path', function (req, res) {
  let url = req.param("url"),
    host = urlLib.parse(url).host;
  if (host.includes("example.com")) {
    // ruleid: js-taint-open-redirect
    res.redirect(url);
  }
  if (["example.com", "www.example.com"].includes(host)) {
    // ok: js-taint-open-redirect
    res.redirect(url);
  }
  const hostname = new URL(url).hostname;
  if (hostname.endsWith(".example.com")) {
    // ok: js-taint-open-redirect
    res.redirect(url);
  }
});

app.get("/fetch-allowed", async (req, res) => {
  const target = new URL(req.query.url);
  if (ALLOWED_HOSTS.includes(target.hostname)) {
    // ok: js-taint-ssrf
    await fetch(target);
  } else {
    // ruleid: js-taint-ssrf
    await fetch(target);
  }
  if (!ALLOWED_HOSTS.includes(target.hostname)) {
    // ruleid: js-taint-ssrf
    await fetch(target);
  }
  const host = new URL(req.query.next).host;
  if (host === "app.example.com") {
    // ok: js-taint-open-redirect
    res.redirect(req.query.next);
  } else {
    // ruleid: js-taint-open-redirect
    res.redirect(req.query.next);
  }
});

app.get('/greet', function (req, res) {
  const name = req.query.name;
  if (name !== "") {
    // ruleid: js-taint-xss
    res.send("<p>Hello " + name + "</p>");
  }
  if (!KNOWN_NAMES.includes(name)) {
    return;
  }
  if (name !== "") {
    // ok: js-taint-xss
    res.send("<p>Hello " + name + "</p>");
  }
});

app.get('/poll', function (req, res) {
  const id = req.query.id;
  if (id === DEFAULT_POLL) {
    // ok: js-taint-xss
    res.send("<p>poll " + id + "</p>");
  } else {
    // ruleid: js-taint-xss
    res.send("<p>poll " + id + "</p>");
  }
});

app.get('/file', function (req, res) {
  const name = req.query.name;
  if (!name.includes("..")) {
    // ok: js-taint-path-traversal
    res.send(fs.readFileSync(path.join("/srv/files", name)));
  }
  if (name.includes("..")) {
    // ruleid: js-taint-path-traversal
    fs.unlinkSync(path.join("/srv/files", name));
  }
});

app.get('/file/dots', function (req, res) {
  const name = req.query.name;
  if (name.indexOf("..") === -1) {
    // ok: js-taint-path-traversal
    res.send(fs.readFileSync(path.join("/srv/files", name)));
  } else {
    // ruleid: js-taint-path-traversal
    fs.unlinkSync(path.join("/srv/files", name));
  }
  if (name.indexOf("..") !== -1) {
    return res.status(400).end();
  }
  // ok: js-taint-path-traversal
  fs.unlinkSync(path.join("/srv/files", name));
});

app.get('/known/else', function (req, res) {
  const name = req.query.name;
  if (KNOWN_NAMES.includes(name)) {
    // ok: js-taint-xss
    res.send("<p>" + name + "</p>");
  } else {
    // ruleid: js-taint-xss
    res.send("<p>unknown " + name + "</p>");
  }
  if (KNOWN_NAMES.indexOf(name) === -1) {
    // ruleid: js-taint-xss
    res.send("<p>not listed: " + name + "</p>");
  }
});

app.post("/login", (req, res) => {
  const user = req.body.user;
  // ruleid: js-taint-log-injection
  console.log(`failed login for ${user}`);
  // ruleid: js-taint-log-injection
  logger.info("failed login for " + req.query.user);
  // ok: js-taint-log-injection
  logger.warn("rejected login for " + req.query.user);
  // ruleid: js-taint-log-injection
  console.info(`request for ${url.parse(req.url, true).query.user}`);
  // ok: js-taint-log-injection
  console.log(`failed login for ${user.replace(/[\r\n]/g, "")}`);
  const clean = user.replace(/\n|\r/g, " ");
  // ok: js-taint-log-injection
  logger.info("failed login for " + clean);
  // ok: js-taint-log-injection
  logger.info("failed login for %s", JSON.stringify(user));
  // ok: js-taint-log-injection
  console.log("failed login from " + req.ip);
  // ruleid: js-taint-log-injection
  console.log("login by agent " + req.get("User-Agent"));
  res.status(401).end();
});

function logOwnArgument(name) {
  // ok: js-taint-log-injection
  console.log("processing " + name);
}

app.post("/resetpass", (req, res) => {
  const token = makeResetToken(req.body.email);
  // ruleid: js-taint-host-header-in-mail
  transport.sendMail({
    to: req.body.email,
    text: `Click to reset your password: https://${req.headers.host}/reset/${token}`,
  });
  // ok: js-taint-host-header-in-mail
  transport.sendMail({
    to: req.body.email,
    text: `Click to reset your password: ${config.baseUrl}/reset/${token}`,
  });
  const link = "https://" + req.get("Host") + "/reset/" + token;
  // ruleid: js-taint-host-header-in-mail
  mailer.send({ to: req.body.email, html: `<a href="${link}">reset</a>` });
  // ok: js-taint-host-header-in-mail
  mailer.send({ to: req.body.email, text: `Your request from ${req.ip} was received.` });
});

async function loadPlugin(id) {
  const { response } = await request.get(`https://packages.example.org/api/v1/plugins/${id}`);
  // ok: js-taint-log-injection
  console.log(response);
}

// A failed check cleans what follows only when its branch leaves, and it always cleans its else.
app.get('/report', function (req, res) {
  const name = req.query.name;
  if (!KNOWN_NAMES.includes(name)) {
    console.warn('unknown report ' + name);
  }
  // ruleid: js-taint-path-traversal
  fs.readFile(path.join('/srv/reports', name), (err, data) => res.end(data));
  if (!KNOWN_NAMES.includes(name)) {
    res.status(404).send('no such report');
  } else {
    // ok: js-taint-path-traversal
    fs.readFile(path.join('/srv/reports', name), (err, data) => res.end(data));
  }
});

app.post('/ping', function (req, res) {
  const host = req.body.host;
  let valid = true;
  if (!isValidHostname(host)) {
    valid = false;
  }
  // ruleid: js-taint-command-injection
  child_process.exec('ping -c 1 ' + host, (err, out) => res.json({ valid, out }));
  if (!isValidHostname(host)) {
    res.status(400).end();
  } else {
    // ok: js-taint-command-injection
    child_process.exec('ping -c 1 ' + host, (err, out) => res.json({ out }));
  }
});

app.get('/archive', function (req, res) {
  const full = path.resolve(publicRoot, req.query.file);
  if (!full.startsWith(publicRoot + path.sep)) {
    logger.warn('outside the root');
  }
  // ruleid: js-taint-path-traversal
  fs.createReadStream(full).pipe(res);
  if (!full.startsWith(publicRoot + path.sep)) {
    res.status(403).end();
  } else if (req.query.download) {
    // ok: js-taint-path-traversal
    res.download(full);
  }
});

app.get('/mirror', async (req, res) => {
  const target = new URL(req.query.url);
  if (!ALLOWED_HOSTS.includes(target.hostname)) {
    res.status(400);
  }
  // ruleid: js-taint-ssrf
  const page = await fetch(target);
  if (!ALLOWED_HOSTS.includes(target.hostname)) {
    res.status(400).end();
  } else {
    // ok: js-taint-ssrf
    res.json(await (await fetch(target)).json());
  }
  res.end(await page.text());
});

app.get('/go', function (req, res) {
  const next = req.query.next;
  const host = new URL(next, 'https://app.example.com').host;
  if (!ALLOWED_HOSTS.includes(host)) {
    console.warn('redirect to another host');
  }
  // ruleid: js-taint-open-redirect
  res.redirect(next);
  if (!ALLOWED_HOSTS.includes(host)) {
    res.redirect('/');
  } else {
    // ok: js-taint-open-redirect
    res.redirect(next);
  }
});

app.get('/theme', function (req, res) {
  const theme = req.query.theme;
  if (!/^[a-z-]+$/.test(theme)) {
    res.status(400);
  }
  // ruleid: js-taint-path-traversal
  res.sendFile(path.join(__dirname, 'themes', theme + '.css'));
  if (!/^[a-z-]+$/.test(theme)) {
    res.status(400).end();
  } else {
    // ok: js-taint-path-traversal
    res.sendFile(path.join(__dirname, 'themes', theme + '.css'));
  }
  if (!/\.css$/.test(theme)) {
    res.status(400).end();
  } else {
    // ruleid: js-taint-path-traversal
    res.sendFile(path.join(__dirname, 'themes', theme));
  }
});

app.get('/page', function (req, res) {
  const name = req.query.name;
  if (name !== HOME_NAME) {
    res.status(404);
  } else {
    // ok: js-taint-xss
    res.send('<h1>' + name + '</h1>');
  }
  // ruleid: js-taint-xss
  res.send('<p>' + name + '</p>');
});

app.post('/reviews', function (req, res) {
  if (typeof req.body.id !== 'string') {
    logger.warn('id is not a string');
  }
  // ruleid: js-taint-nosql-injection
  db.reviews.findOne({ _id: req.body.id });
  if (typeof req.body.id !== 'string') {
    res.status(400).send();
  } else {
    // ok: js-taint-nosql-injection
    db.reviews.findOne({ _id: req.body.id }).then((r) => res.json(r));
  }
});

function runAll(names) {
  for (const name of names) {
    if (!KNOWN_NAMES.includes(name)) continue;
    // ok: js-taint-command-injection
    child_process.exec('run-report ' + name);
  }
  for (const name of names) {
    if (!KNOWN_NAMES.includes(name)) {
      skipped.push(name);
    }
    // ruleid: js-taint-command-injection
    child_process.exec('run-report ' + name);
  }
}

// Without semicolons, a return nested in the failed branch's if, or in a callback, is not its last statement;
// an if/else whose branches both leave is.
app.get('/export', function (req, res) {
  const name = req.query.name
  if (!KNOWN_NAMES.includes(name)) {
    logger.warn('unknown export ' + name)
    if (req.query.strict) {
      return res.status(400).end()
    }
  }
  // ruleid: js-taint-path-traversal
  res.sendFile(path.join('/srv/exports', name))
})

app.get('/export-all', function (req, res) {
  const name = req.query.name
  if (!KNOWN_NAMES.includes(name)) {
    logger.warn('unknown export ' + name)
    KNOWN_NAMES.forEach(function (known) {
      return suggestions.push(known)
    })
  }
  // ruleid: js-taint-path-traversal
  res.sendFile(path.join('/srv/exports', name))
})

app.get('/export-one', function (req, res) {
  const name = req.query.name
  if (!KNOWN_NAMES.includes(name)) {
    if (req.query.quiet) {
      return res.status(404).end()
    } else {
      throw new NotFound(name)
    }
  }
  // ok: js-taint-path-traversal
  res.sendFile(path.join('/srv/exports', name))
})

app.get('/import', function (req, res) {
  const name = req.query.name
  if (!isValidName(name)) {
    logger.warn('refused ' + name)
    if (req.query.quiet) {
      return res.status(404).end()
    } else {
      res.status(400)
    }
  }
  // ruleid: js-taint-path-traversal
  res.sendFile(path.join('/srv/exports', name))
})

// A request field or a message's payload as the name of the property written or the method called
const registry = {}
const actions = { play(d) {}, pause(d) {} }

app.get('/register', function (req, res) {
  var prop = req.query.userControlled
  // ruleid: js-taint-remote-property-injection
  registry[prop] = function () {}
  const prefixed = '$' + req.query.userControlled
  // ok: js-taint-remote-property-injection
  registry[prefixed] = function () {}
  // ok: js-taint-remote-property-injection
  registry[`handler_${req.query.userControlled}`] = true
  // ruleid: js-taint-remote-property-injection
  registry[`${req.query.userControlled}_handler`] = true
  // ok: js-taint-remote-property-injection
  const found = registry[req.query.userControlled]
  const slot = parseInt(req.query.slot, 10)
  // ok: js-taint-remote-property-injection
  registry[slot] = found
  res.end()
})

app.post('/settings', (req, res) => {
  // ruleid: js-taint-remote-property-injection
  registry[req.body.key] = req.body.value
  const counts = new Map()
  // ok: js-taint-remote-property-injection
  counts.set(req.body.key, 1)
  if (!['theme', 'lang'].includes(req.body.name)) return res.status(400).end()
  // ok: js-taint-remote-property-injection
  registry[req.body.name] = req.body.value
  res.end()
})

app.post('/action', (req, res) => {
  const act = req.body.action
  if (!Object.prototype.hasOwnProperty.call(actions, act)) {
    return res.status(400).end()
  }
  // ok: js-taint-remote-property-injection
  actions[act](req.body)
  res.end()
})

app.post('/visit', (req, res) => {
  const page = req.body.page
  if (!visitors.call(registry, page)) return res.status(400).end()
  // ruleid: js-taint-remote-property-injection
  registry[page] = Date.now()
  res.end()
})

function setField(target, key, value) {
  // ok: js-taint-remote-property-injection
  target[key] = value
}

window.addEventListener('message', (ev) => {
  const message = JSON.parse(ev.data)
  // ruleid: js-taint-remote-property-injection
  window[message.name](message.payload)
  if (Object.hasOwn(actions, message.name)) {
    // ok: js-taint-remote-property-injection
    actions[message.name](message.payload)
  }
  if (!actions.hasOwnProperty(message.name)) {
    console.warn('unknown action', message.name)
  }
  // ruleid: js-taint-remote-property-injection
  actions[message.name](message.payload)
})

function restoreTab(panels) {
  const tab = new URLSearchParams(window.location.search).get('tab')
  // ruleid: js-taint-remote-property-injection
  panels[tab] = { open: true }
  // ok: js-taint-remote-property-injection
  panels[window.location.href] = { visited: true }
}

app.post('/profile', (req, res) => {
  const profile = {}
  for (const k in req.body) {
    // ruleid: js-taint-remote-property-injection
    profile[k] = req.body[k]
  }
  for (const [k, v] of Object.entries(req.body)) {
    // ruleid: js-taint-remote-property-injection
    profile[k] = v
  }
  for (const k of Object.keys(req.body)) {
    if (!['name', 'email'].includes(k)) continue
    // ok: js-taint-remote-property-injection
    profile[k] = req.body[k]
  }
  Object.keys(req.body).forEach((key) => {
    // ruleid: js-taint-remote-property-injection
    profile[key] = req.body[key]
  })
  Object.entries(req.query).forEach(function ([key, value]) {
    // ruleid: js-taint-remote-property-injection
    profile[key] = value
  })
  Object.keys(req.body).forEach((key) => {
    if (!Object.hasOwn(profile, key)) return
    // ok: js-taint-remote-property-injection
    profile[key] = req.body[key]
  })
  for (const key in req.body) {
    if (EDITABLE.includes(key)) {
      // ok: js-taint-remote-property-injection
      profile[key] = req.body[key]
    } else {
      // ruleid: js-taint-remote-property-injection
      profile[key] = null
    }
  }
  Object.keys(DEFAULTS).forEach((key) => {
    // ok: js-taint-remote-property-injection
    profile[key] = DEFAULTS[key]
  })
  res.json(profile)
})

app.get("/greet", (req, res) => {
  const template = req.query.template;
  // ruleid: js-taint-format-string, js-taint-log-injection
  console.log(template, req.ip);
  // ruleid: js-taint-format-string
  const line = util.format(req.query.template, new Date());
  // ok: js-taint-format-string
  console.error("%s", template, req.ip);
  // ruleid: js-taint-xss
  res.send(util.format(req.query.template));
  // ok: js-taint-format-string
  console.error("bad template: %s", template, line);
});

app.get("/find", (req, res) => {
  const term = req.query.term;
  // ruleid: js-taint-regex-injection
  const matcher = new RegExp("^" + term, "i");
  // ruleid: js-taint-regex-injection
  const hit = req.body.title.match(req.query.pattern);
  // ok: js-taint-regex-injection
  const escaped = new RegExp("^" + _.escapeRegExp(term), "i");
  // ok: js-taint-regex-injection
  const replaced = new RegExp(term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  // ok: js-taint-regex-injection
  const found = NAMES.filter((name) => name.includes(term));
  // ok: js-taint-regex-injection
  const ranked = searchIndex.search(req.query.term);
  res.json({ matcher: String(matcher), hit, escaped: String(escaped), replaced: String(replaced), found, ranked });
});

exports.handler = async (event, context) => {
  const table = event.arguments[0][0];
  // ruleid: js-taint-sql-injection
  await conn.query("create temporary table " + table + "_jointemp");
  // ruleid: js-taint-program-from-request
  execFile(event.queryStringParameters.tool, ["--version"]);
  // ok: js-taint-sql-injection
  await conn.query("select * from t where id = ?", [event.pathParameters.id]);
};

button.addEventListener("click", (event) => {
  // ok: js-taint-sql-injection
  conn.query("select * from clicks where target = '" + event.target.id + "'");
});

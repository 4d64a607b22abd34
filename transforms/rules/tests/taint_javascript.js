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
};

app.get("/hello", (req, res) => {
  // ruleid: js-taint-xss
  res.send("Hello " + req.query.name);
  // ok: js-taint-xss
  res.send("Hello " + escape(req.query.name));
  // ok: js-taint-xss
  res.send("Hello world");
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

app.get("/login", (req, res) => {
  // ruleid: js-taint-open-redirect
  res.redirect(req.query.next);
  // ok: js-taint-open-redirect
  res.redirect("/home");
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

app.get("/continue2", (req, res) => {
  const next = new URL(req.query.next, "https://app.example.com");
  // ruleid: js-taint-open-redirect
  res.redirect(next.href);
});

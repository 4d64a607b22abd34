const crypto = require("crypto");
const child_process = require("child_process");
const fs = require("fs");
const path = require("path");

function sql(db, name) {
  // ruleid: js-sql-built-by-formatting
  db.query("SELECT * FROM users WHERE name = '" + name + "'");
  // ruleid: js-sql-built-by-formatting
  db.query(`DELETE FROM users WHERE id = ${name}`);
  // ok: js-sql-built-by-formatting
  db.query("SELECT * FROM users WHERE name = ?", [name]);
  // ok: js-sql-built-by-formatting
  console.log("selected " + name);
}

function deserialize(data, serializer, yaml) {
  // ruleid: js-unsafe-deserialization
  const obj = serializer.unserialize(data);
  // ok: js-unsafe-deserialization
  const parsed = JSON.parse(data);
  // ruleid: js-unsafe-deserialization
  const doc = yaml.load(data, { schema: yaml.DEFAULT_FULL_SCHEMA });
  return [obj, parsed, doc];
}

function hashes(data) {
  // ruleid: js-weak-hash-or-cipher
  const weak = crypto.createHash("md5").update(data).digest("hex");
  // ok: js-weak-hash-or-cipher
  const strong = crypto.createHash("sha256").update(data).digest("hex");
  return [weak, strong];
}

function tokens() {
  // ruleid: js-insecure-random-secret
  const resetToken = Math.random().toString(36).slice(2);
  // ok: js-insecure-random-secret
  const sessionToken = crypto.randomBytes(16).toString("hex");
  // ok: js-insecure-random-secret
  const jitter = Math.random() * 100;
  return [resetToken, sessionToken, jitter];
}

// ruleid: js-hardcoded-credential
const dbPassword = "hunter2hunter2";
// ok: js-hardcoded-credential
const dbPasswordFromEnv = process.env.DB_PASSWORD;

function tls(https) {
  // ruleid: js-tls-verification-disabled
  const agent = new https.Agent({ rejectUnauthorized: false });
  // ok: js-tls-verification-disabled
  const strict = new https.Agent({ rejectUnauthorized: true });
  return [agent, strict];
}

function xml(libxmljs, text) {
  // ruleid: js-xml-external-entities
  const doc = libxmljs.parseXml(text, { noent: true });
  // ok: js-xml-external-entities
  const safe = libxmljs.parseXml(text, { noent: false });
  return [doc, safe];
}

function regexes(text, userPattern) {
  // ruleid: js-regex-redos
  const slow = /^(a+)+$/.test(text);
  // ok: js-regex-redos
  const fast = /^a+$/.test(text);
  // ruleid: js-regex-from-input
  const dynamic = new RegExp(userPattern);
  // ok: js-regex-from-input
  const fixed = new RegExp("^[a-z]+$");
  return [slow, fast, dynamic, fixed];
}

function temp(data) {
  // ruleid: js-insecure-temp-file
  fs.writeFileSync("/tmp/cache.json", data);
  // ok: js-insecure-temp-file
  fs.mkdtempSync(path.join(require("os").tmpdir(), "cache-"));
}

module.exports = { sql, commands, evaluation, serve, render, deserialize, hashes, tokens, tls, xml, regexes, temp };

function renderUserCard(user, list, el) {
  // ruleid: js-html-sink-of-built-markup
  $(list).append('<li class="user">' + user.displayname + '</li>');
  // ok: js-html-sink-of-built-markup
  $(list).append('<li class="user">' + escape(user.displayname) + '</li>');
  // ok: js-html-sink-of-built-markup
  $(list).append($('<li class="user">').text(user.displayname));
  // ruleid: js-html-sink-of-built-markup
  el.innerHTML = `<span title="${user.displayname}">${user.picture}</span>`;
  // ok: js-html-sink-of-built-markup
  el.innerHTML = `<span title="${validator.escape(user.displayname)}">${utils.escapeHTML(user.picture)}</span>`;
  // ok: js-html-sink-of-built-markup
  el.innerHTML = "Posts: " + user.postcount;
  // ok: js-html-sink-of-built-markup
  el.innerHTML = "<b>" + user.postcount.toFixed(0) + "</b>";
  // ruleid: js-html-sink-of-built-markup
  $('<div class="bio">' + user.bio + '</div>').appendTo(list);
  // ruleid: js-html-sink-of-built-markup
  el.insertAdjacentHTML("beforeend", "<p>" + user.signature + "</p>");
}

function onReady(list, user) {
  // ok: js-html-sink-of-built-markup
  $(function () {
    list.attr('data-label', '<b>' + user.displayname + '</b>');
  });
  // ok: js-html-sink-of-built-markup
  $(() => list.attr('data-label', `<b>${user.displayname}</b>`));
  // ruleid: js-html-sink-of-built-markup
  $(function () { list.append('<b>' + user.displayname + '</b>'); });
}

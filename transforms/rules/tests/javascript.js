const crypto = require("crypto");
const child_process = require("child_process");
const fs = require("fs");
const path = require("path");

function sql(db, name) {
  // ruleid: js-sql-built-by-formatting
  db.query("SELECT * FROM users WHERE name = '" + name + "'");
  // ok: js-sql-built-by-formatting
  console.log("SELECT * FROM users WHERE name = '" + name + "'");
  // ok: js-sql-built-by-formatting
  logger.debug(`DELETE FROM users WHERE id = ${name}`);
  // ruleid: js-sql-built-by-formatting
  db.query(`DELETE FROM users WHERE id = ${name}`);
  // ok: js-sql-built-by-formatting
  db.query("SELECT * FROM users WHERE name = ?", [name]);
  // ok: js-sql-built-by-formatting
  console.log("selected " + name);
  // ok: js-sql-built-by-formatting
  db.query("SELECT name FROM users " + "WHERE id = ? " + "LIMIT 1", [name]);
  // ok: js-sql-built-by-formatting
  db.query("SELECT name FROM " + escapeIdentifier(name) + " LIMIT 1");
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
  // ruleid: js-weak-hash-or-cipher
  const blowfish = crypto.createCipheriv("bf-cbc", data, data);
  // ruleid: js-weak-hash-or-cipher
  const derived = crypto.createCipher("aes-256-cbc", data);
  // ok: js-weak-hash-or-cipher
  const keyed = crypto.createCipheriv("aes-256-gcm", data, crypto.randomBytes(12));
  return [weak, strong, derived, keyed];
}

function randomness() {
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
// ok: js-hardcoded-credential
const fieldPassword = "userPassword"; // a form field's name, not a secret
// ruleid: js-hardcoded-credential
const db = connect({ user: "app", password: "password" }); // a setting is the credential itself
const pool = new Pool({
  user: "app",
  // ruleid: js-hardcoded-credential
  password: "s3cr3t-pool",
  // ok: js-hardcoded-credential
  passwordFile: "/run/secrets/db",
});
const aws = {};
// ruleid: js-hardcoded-credential
aws.secretAccessKey = "AKIAEXAMPLEKEY";
// ok: js-hardcoded-credential
aws.secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
// ruleid: js-hardcoded-credential
request.get(url).auth("deploy", "s3cr3t-deploy");
// ruleid: js-hardcoded-credential
msRest.loginWithUsernamePassword("deploy", "s3cr3t-deploy", () => {});
// ok: js-hardcoded-credential
request.get(url).auth(process.env.USER, process.env.PASS);
// ok: js-hardcoded-credential
const examplePassword = "example-password";
const signingKey = "shhhhh-not-secret";
// ruleid: js-hardcoded-credential
const session = jwt.sign({ sub: 1 }, signingKey, { expiresIn: "1h" });
// ruleid: js-hardcoded-credential
jwt.verify(session, "shhhhh");
// ok: js-hardcoded-credential
jwt.verify(session, process.env.JWT_SECRET);
// ruleid: js-hardcoded-credential
const joseKey = JWK.asKey("a-hard-coded-signing-key");

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

function generateSessionId() {
  // ruleid: js-insecure-random-secret
  return (Math.random() * 1e18).toString(32).slice(0, 11);
}

const pickColour = (colours) => {
  // ok: js-insecure-random-secret
  return colours[Math.floor(Math.random() * colours.length)];
};

function login(client, data, user, req, password, confirmPassword) {
  // ruleid: js-plaintext-password-comparison
  const configured = client.config.password == data.password;
  // ruleid: js-plaintext-password-comparison
  const matches = user.password === req.body.password;
  // ok: js-plaintext-password-comparison
  const confirmed = password === confirmPassword;
  // ok: js-plaintext-password-comparison
  const hashed = user.passwordHash === hash(password);
  // ok: js-plaintext-password-comparison
  const empty = data.password === "";
  return configured && matches && confirmed && hashed && empty;
}

function storePassword(user, password, salt, body) {
  // ruleid: js-fast-hash-of-password
  user.hash = crypto.createHash("sha256").update(password).digest("hex");
  // ruleid: js-weak-hash-or-cipher
  const digest = crypto.createHash("md5");
  // ruleid: js-fast-hash-of-password
  digest.update(salt + user.password);
  // ok: js-fast-hash-of-password
  user.key = crypto.scryptSync(password, salt, 64);
  // ok: js-fast-hash-of-password
  user.etag = crypto.createHash("sha256").update(body).digest("hex");
}

function permissions(file, data) {
  // ruleid: js-world-writable-permissions
  fs.chmodSync(file, 0o666);
  // ruleid: js-world-writable-permissions
  fs.mkdirSync(file, { recursive: true, mode: "777" });
  // ruleid: js-world-writable-permissions
  fs.writeFile(file, data, { mode: 0o662 }, () => {});
  // ruleid: js-world-writable-permissions
  process.umask(0);
  // ok: js-world-writable-permissions
  fs.chmodSync(file, 0o644);
  // ok: js-world-writable-permissions
  fs.mkdirSync(file, { recursive: true, mode: 0o755 });
  // ok: js-world-writable-permissions
  fs.openSync(file, "w", 0o600);
  // ok: js-world-writable-permissions
  process.umask(0o022);
}

module.exports = { sql, commands, evaluation, serve, render, deserialize, hashes, randomness, tls, xml, regexes, temp, permissions };

function renderUserCard(user, list, el) {
  // ruleid: js-html-sink-of-built-markup
  $(list).append('<li class="user">' + user.displayname + '</li>');
  // ok: js-html-sink-of-built-markup
  $(list).append('<li class="user">' + escape(user.displayname) + '</li>');
  // ok: js-html-sink-of-built-markup
  $(list).append($('<li class="user">').text(user.displayname));
  // ruleid: js-html-sink-of-built-markup, js-markup-built-from-fields
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
  jQuery('<span class="title">' + user.title + '</span>').appendTo(list);
  // ruleid: js-html-sink-of-built-markup, js-markup-built-from-fields
  el.insertAdjacentHTML("beforeend", "<p>" + user.signature + "</p>");
  // ok: js-html-sink-of-built-markup
  $(list).empty().append($('<strong>').css('color', 'red').text(`${user.title}: `));
  // ok: js-html-sink-of-built-markup, js-markup-built-from-fields
  $(list).append(`<input type="hidden" name="_csrf" value="${user.csrfToken}">`);
  // ok: js-html-sink-of-built-markup, js-markup-built-from-fields
  $(list).append(`<li data-note-id="${user.noteId}"></li>`);
  // ruleid: js-html-sink-of-built-markup, js-markup-built-from-fields
  $(list).html(`<b>${user.rank}</b>` + `${user.bio}`);
}

function onReady(list, user) {
  // ok: js-html-sink-of-built-markup
  $(function () {
    // ruleid: js-markup-built-from-fields
    list.attr('data-label', '<b>' + user.displayname + '</b>');
  });
  // ok: js-html-sink-of-built-markup
  // ruleid: js-markup-built-from-fields
  $(() => list.attr('data-label', `<b>${user.displayname}</b>`));
  // ruleid: js-html-sink-of-built-markup, js-markup-built-from-fields
  $(function () { list.append('<b>' + user.displayname + '</b>'); });
}

// prototype pollution: deep merges and path walks, unguarded and guarded
function merge(base, extend) {
    for (var key in extend)
        // ruleid: js-prototype-pollution
        base[key] = (isPlainObject(base[key]) && isPlainObject(extend[key])) ? merge(base[key], extend[key]) : extend[key];
    return base;
}
function mergeOk(base, extend) {
    for (var key in extend) {
        if (key === '__proto__' || key === 'constructor' || key === 'prototype')
            continue;
        // ok: js-prototype-pollution
        base[key] = (isPlainObject(base[key]) && isPlainObject(extend[key])) ? mergeOk(base[key], extend[key]) : extend[key];
    }
    return base;
}
function assign(target, source) {
    return Object.keys(source).reduce(function (acc, key) {
        if (has.call(acc, key)) {
            // ruleid: js-prototype-pollution
            acc[key] = merge(acc[key], source[key], options);
        }
        return acc;
    }, target);
}
const mergeInto = function (acc, key) {
    // ruleid: js-prototype-pollution
    acc[key] = utils.merge(acc[key], value, options);
    return acc;
};
const mergeIntoOk = function (acc, key) {
    // ok: js-prototype-pollution
    setProperty(acc, key, utils.merge(acc[key], value, options));
    return acc;
};
function largest(dp, other) {
    for (let i = 0; i < dp.length; i++) {
        // ok: js-prototype-pollution
        dp[i] = Math.max(dp[i], other[i]);
    }
}
function deepExtend(target, obj) {
    Object.keys(obj).forEach(function (key) {
        if (isUnsafeKey(key)) { return; }
        // ok: js-prototype-pollution
        target[key] = deepExtend(target[key], obj[key]);
    });
}
function dset(obj, keys, val) {
    var i = 0, l = keys.length, t = obj, k;
    while (i < l) {
        k = keys[i++];
        // ruleid: js-prototype-pollution
        t = t[k] = (i === l) ? val : {};
    }
}
function dsetOk(obj, keys, val) {
    var i = 0, l = keys.length, t = obj, k;
    while (i < l) {
        k = '' + keys[i++];
        if (k === '__proto__' || k === 'constructor' || k === 'prototype') break;
        // ok: js-prototype-pollution
        t = t[k] = (i === l) ? val : {};
    }
}
function setKey(obj, keys, value) {
    var o = obj;
    keys.slice(0, -1).forEach(function (key) {
        // ruleid: js-prototype-pollution
        if (o[key] === undefined) o[key] = {};
        // ruleid: js-prototype-pollution
        o = o[key];
    });
    // ruleid: js-prototype-pollution
    o[keys[keys.length - 1]] = value;
}
function parseObject(chain, val) {
    var obj = {};
    for (var i = chain.length - 1; i >= 0; --i) {
        var root = chain[i];
        if (root === '[]') {
            obj = [].concat(val);
        } else if (root !== '__proto__') {
            // ok: js-prototype-pollution
            obj[root] = merge(obj[root], val);
        }
    }
    return obj;
}
function copy(src) {
    const out = {};
    // ok: js-prototype-pollution
    for (const k in src) out[k] = src[k] * 2;
    return out;
}
function overlay(into, from) {
    Object.entries(from).forEach(([name, setting]) => {
        if (typeof into[name] === 'object') {
            overlay(into[name], setting);
        } else {
            // ruleid: js-prototype-pollution
            into[name] = setting;
        }
    });
    return into;
}
const overlayOwn = (into, from) => {
    for (const name of Object.keys(from)) {
        if (Object.prototype.hasOwnProperty.call(into, name)) {
            overlayOwn(into[name], from[name]);
        } else {
            // ok: js-prototype-pollution
            into[name] = from[name];
        }
    }
};
function overlayKnown(into, from) {
    for (const name in from) {
        if (!(name in into)) continue;
        // ok: js-prototype-pollution
        into[name] = isObject(into[name]) ? overlayKnown(into[name], from[name]) : from[name];
    }
}
function setPath(root, dotted, value) {
    const parts = dotted.split('.');
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) {
        // ruleid: js-prototype-pollution
        node = node[parts[i]] = node[parts[i]] || {};
    }
    // ruleid: js-prototype-pollution
    node[parts[parts.length - 1]] = value;
}
function mapLeaves(tree, fn) {
    // ok: js-prototype-pollution
    for (const name in tree) tree[name] = typeof tree[name] === 'object' ? mapLeaves(tree[name], fn) : fn(tree[name]);
    return tree;
}

// markup built from record fields, returned to be inserted elsewhere
function avatar(userObj) {
    // ruleid: js-markup-built-from-fields
    return `<img alt="${userObj.displayname}" src="${userObj.picture}">`;
}
function avatarOk(userObj) {
    const name = escape(String(userObj.displayname || ''));
    // ok: js-markup-built-from-fields
    return `<img alt="${name}">`;
}
function avatarEscaped(userObj) {
    // ok: js-markup-built-from-fields
    return `<img alt="${utils.escapeHTML(userObj.displayname)}">`;
}
function row(post) {
    // ruleid: js-markup-built-from-fields
    return '<td>' + post.title + '</td>';
}
function count(list) {
    // ok: js-markup-built-from-fields
    return '<b>' + list.length + '</b>' + `<i>${list.length}</i>`;
}
function plain(user) {
    // ok: js-markup-built-from-fields
    return `Hello ${user.name}`;
}

function keysAndProtocols(crypto, tls) {
  // ruleid: js-weak-rsa-key
  const small = crypto.generateKeyPairSync("rsa", { modulusLength: 1024 });
  // ok: js-weak-rsa-key
  const large = crypto.generateKeyPairSync("rsa", { modulusLength: 4096 });
  // ruleid: js-tls-legacy-protocol
  const old = tls.createSecureContext({ secureProtocol: "TLSv1_method" });
  // ruleid: js-tls-legacy-protocol
  const low = tls.connect({ host: "example.com", minVersion: "TLSv1.1" });
  // ok: js-tls-legacy-protocol
  const modern = tls.connect({ host: "example.com", minVersion: "TLSv1.2" });
  return [small, large, old, low, modern];
}

function initVectors(crypto, key) {
  // ruleid: js-static-iv
  const fixed = crypto.createCipheriv("aes-256-cbc", key, Buffer.alloc(16, 0));
  const iv = Buffer.from("0123456789abcdef");
  // ruleid: js-static-iv
  const literal = crypto.createCipheriv("aes-256-cbc", key, iv);
  const nonce = crypto.randomBytes(16);
  // ok: js-static-iv
  const random = crypto.createCipheriv("aes-256-cbc", key, nonce);
  return [fixed, literal, random];
}

function isRedirectAllowed(url) {
  let allowed = false
  for (const allowedUrl of redirectAllowlist) {
    // ruleid: js-url-allowed-by-substring
    allowed = allowed || url.includes(allowedUrl)
  }
  return allowed
}

function isRedirectAllowedExactly(url) {
  let allowed = false
  for (const allowedUrl of redirectAllowlist) {
    // ok: js-url-allowed-by-substring
    allowed = allowed || url === allowedUrl
  }
  return allowed
}

function trustedReferrer(req) {
  const referrer = req.get('Referer') || ''
  // ruleid: js-url-allowed-by-substring
  return redirectAllowlist.some((allowed) => referrer.includes(allowed))
}

function notAUrlCheck(url, words) {
  // ok: js-url-allowed-by-substring
  if (url.includes('?')) return words.some((w) => w.includes(url))
  // ok: js-url-allowed-by-substring
  return url.startsWith('https://shop.example.com/')
}

function isRedirectAllowedEncoded(url) {
  return redirectAllowlist.some((allowedUrl) =>
    // ruleid: js-url-allowed-by-substring
    url.includes(encodeURI(allowedUrl)))
}

const jwt = require('jsonwebtoken');
const { JWK, JWT: JoseJWT } = require('jose');

function currentUser(req) {
  // ruleid: js-jwt-signature-not-verified
  const user = jwt.decode(req.headers.authorization.split(' ')[1]);
  return user.sub;
}

function verifiedUser(req) {
  // ok: js-jwt-signature-not-verified
  const d = jwt.decode(req.headers.token, { complete: true });
  const user = jwt.verify(req.headers.token, keys[d.header.kid], { algorithms: ['RS256'] });
  return user.sub;
}

const verifiedAsync = async (req) => {
  // ok: js-jwt-signature-not-verified
  const d = jwt.decode(req.headers.token, { complete: true });
  return await jwt.verify(req.headers.token, keys[d.header.kid]);
};

app.get('/me', (req, res) => {
  // ruleid: js-jwt-signature-not-verified
  const d = jwt.decode(req.cookies.token);
  res.json({ name: d.name });
});

class Auth {
  user(token) {
    // ruleid: js-jwt-signature-not-verified
    return jwt.decode(token).sub;
  }

  verified(token) {
    // ok: js-jwt-signature-not-verified
    const header = jwt.decode(token, { complete: true }).header;
    return jwt.verify(token, this.keys[header.kid]).sub;
  }
}

function simple(token) {
  const jwtSimple = require('jwt-simple');
  // ruleid: js-jwt-signature-not-verified
  return jwt.decode(token, secret, true);
}

function simpleVerified(token) {
  // ok: js-jwt-signature-not-verified
  const claims = jwt.decode(token, secret);
  // ok: js-jwt-signature-not-verified
  return claims.sub || jwt.decode(token, secret, false).sub;
}

function accepted(token) {
  // ruleid: js-jwt-signature-not-verified
  return jwt.verify(token, secret, { algorithms: ['HS256', 'none'] });
}

function unsigned(user) {
  // ruleid: js-jwt-signature-not-verified
  return jwt.sign({ sub: user.id }, '', { algorithm: 'none' });
}

function joseOld(token) {
  // ruleid: js-jwt-signature-not-verified
  return JoseJWT.verify(token, JWK.None);
}

function pinned(token) {
  // ok: js-jwt-signature-not-verified
  return jwt.verify(token, secret, { algorithms: ['HS256'] });
}

// ruleid: js-directory-listing-enabled
app.use('/ftp', serveIndexMiddleware, serveIndex('ftp', { icons: true }));
// ok: js-directory-listing-enabled
app.use('/ftp/:file', servePublicFiles());
// ok: js-directory-listing-enabled
app.use('/public', express.static('public'));

function noExp(token) {
  // ruleid: js-jwt-expiry-not-checked
  return jwt.verify(token, secret, { algorithms: ['HS256'], ignoreExpiration: true });
}
function withExp(token) {
  // ok: js-jwt-expiry-not-checked
  return jwt.verify(token, secret, { algorithms: ['HS256'], maxAge: '1h' });
}

function escapeQuotes(s) {
  // ruleid: js-incomplete-sanitization
  return s.replace("'", "''");
}

function escapeAllQuotes(s) {
  // ok: js-incomplete-sanitization
  return s.replace(/'/g, "''");
}

function stripScripts(s) {
  // ruleid: js-incomplete-sanitization
  let rs = s.replace('javascript:', '#');
  // ruleid: js-incomplete-sanitization
  rs = rs.replace('<iframe', '');
  // ruleid: js-incomplete-sanitization
  rs = rs.replace('../', '');
  // ok: js-incomplete-sanitization
  rs = rs.replace(/javascript:/g, '#');
  // ok: js-incomplete-sanitization
  return rs.replace('{name}', 'x');
}

function stripBackslash(s) {
  // ruleid: js-incomplete-sanitization
  const once = s.replace("\\", "");
  // ok: js-incomplete-sanitization
  return once.replace(" ", "_");
}

function tellParent(userName) {
  // ruleid: js-postmessage-any-origin
  window.parent.postMessage(userName, '*');
  // ok: js-postmessage-any-origin
  window.parent.postMessage(userName, 'https://app.example.com');
}

function isAdmin(password) {
  // ruleid: js-hardcoded-credential
  if (password === "s3cr3t-admin") {
    return true;
  }
  // ok: js-hardcoded-credential
  return password === process.env.ADMIN_PASSWORD;
}

module.exports = {
  plugins: [
    new webpack.DefinePlugin({
      // ruleid: js-whole-environment-serialised
      "process.env": JSON.stringify(process.env),
    }),
    new webpack.DefinePlugin({
      // ok: js-whole-environment-serialised
      "process.env": JSON.stringify({ DEBUG: process.env.DEBUG }),
    }),
  ],
};

// A request's whole body written into a stored record, and the forms that choose its fields.
app.post("/users", async (req, res) => {
  // ruleid: js-mass-assignment-from-request
  const user = await User.create(req.body);
  // ruleid: js-mass-assignment-from-request
  const other = new User(req.body);
  // ruleid: js-mass-assignment-from-request
  await User.findByIdAndUpdate(req.params.id, req.body, { new: true });
  // ruleid: js-mass-assignment-from-request
  await users.updateOne({ _id: id }, { $set: req.body });
  // ruleid: js-mass-assignment-from-request
  await prisma.user.update({ where: { id }, data: req.body });
  // ruleid: js-mass-assignment-from-request
  await User.create({ ...req.body, owner: req.user.id });
  // ok: js-mass-assignment-from-request
  await User.create({ name: req.body.name, email: req.body.email });
  const { name, email } = req.body;
  // ok: js-mass-assignment-from-request
  await prisma.user.update({ where: { id }, data: { name, email } });
  // ok: js-mass-assignment-from-request
  const params = new URLSearchParams(req.query);
  // ok: js-mass-assignment-from-request
  const options = Object.assign({}, DEFAULTS, req.query);
  // ok: js-mass-assignment-from-request
  const group = await api.groups.create(req, req.body);
  // ok: js-mass-assignment-from-request
  req.query = Object.assign(Object.fromEntries(url.searchParams), req.query);
  res.json({ user, other, params, options, group });
});

app.put("/profile", async (req, res) => {
  const user = await User.findById(req.user.id);
  const updates = req.body;
  // ruleid: js-mass-assignment-from-request
  Object.assign(user, updates);
  // ruleid: js-mass-assignment-from-request
  user.set(updates);
  // ruleid: js-mass-assignment-from-request
  _.extend(user, req.body);
  // ok: js-mass-assignment-from-request
  _.extend(user, _.pick(req.body, ["name", "email"]));
  // ok: js-mass-assignment-from-request
  const settings = _.merge({}, DEFAULTS, req.query);
  await user.save();
  res.json({ user, settings });
});

app.put("/me", async (req, res) => {
  delete req.body.role;
  // ok: js-mass-assignment-from-request
  const user = await gladys.user.update(req.user.id, req.body);
  res.json(user);
});

app.put("/account", (req, res) => {
  const user = req.user;
  delete req.body.roles;
  if (user) {
    // ok: js-mass-assignment-from-request
    _.extend(user, req.body);
  }
  res.json(user);
});

app.put("/profile/safe", async (req, res) => {
  const user = await User.findById(req.user.id);
  const updates = req.body;
  delete updates.role;
  // ok: js-mass-assignment-from-request
  Object.assign(user, updates);
  let fields = req.body;
  fields = pick(fields, ["name", "email"]);
  // ok: js-mass-assignment-from-request
  await user.update(fields);
  res.json(user);
});

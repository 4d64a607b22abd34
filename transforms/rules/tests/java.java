import java.io.*;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.*;
import java.util.Random;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.net.ssl.*;
import javax.script.ScriptEngine;
import javax.servlet.http.*;
import javax.xml.parsers.DocumentBuilderFactory;

public class Fixture {
    void sql(Statement st, String name) throws Exception {
        // ruleid: java-sql-built-by-formatting
        st.executeQuery("SELECT * FROM users WHERE name = '" + name + "'");
        // ok: java-sql-built-by-formatting
        System.out.println("SELECT * FROM users WHERE name = '" + name + "'");
        // ok: java-sql-built-by-formatting
        LOGGER.debug("DELETE FROM users WHERE id = " + name);
        // ruleid: java-sql-built-by-formatting
        st.executeUpdate(String.format("DELETE FROM users WHERE id = %s", name));
        // ruleid: java-sql-built-by-formatting
        st.executeQuery("SELECT * FROM users WHERE name = '%s'".formatted(name));
        // ruleid: java-sql-built-by-formatting
        st.executeQuery(MessageFormat.format("SELECT * FROM users WHERE name = ''{0}''", name));
        // ruleid: java-sql-built-by-formatting
        st.executeUpdate(String.format(Locale.ROOT, "DELETE FROM users WHERE id = %s", name));
        // ok: java-sql-built-by-formatting
        System.out.println("%d users".formatted(3));
        // ok: java-sql-built-by-formatting
        PreparedStatement ps = st.getConnection().prepareStatement("SELECT * FROM users WHERE name = ?");
        // ok: java-sql-built-by-formatting
        System.out.println("selected " + name);
        // ok: java-sql-built-by-formatting
        String byId = "SELECT name FROM users " + "WHERE id = ? " + "LIMIT 1";
        String quotedTable = st.enquoteIdentifier(name, true);
        // ok: java-sql-built-by-formatting
        String fromTable = "SELECT name FROM " + quotedTable + " WHERE id = ?";
        // ok: java-sql-built-by-formatting
        st.executeQuery("SELECT * FROM product WHERE category = '" + Category.Topping + "' ORDER BY price");
        // ok: java-sql-built-by-formatting
        st.executeQuery("SELECT * FROM " + Fixture.class.getSimpleName() + " WHERE id = " + Integer.parseInt(name));
        // ruleid: java-sql-built-by-formatting
        st.executeQuery("SELECT * FROM product WHERE category = '" + Category.valueOf(name) + "' AND name = '" + name + "'");
    }

    Object deserialize(InputStream in) throws Exception {
        ObjectInputStream ois = new ObjectInputStream(in);
        // ruleid: java-unsafe-deserialization
        return ois.readObject();
    }

    Object readInt(DataInputStream in) throws Exception {
        // ok: java-unsafe-deserialization
        return in.readInt();
    }

    byte[] hashes(byte[] data) throws Exception {
        // ruleid: java-weak-hash-or-cipher
        MessageDigest weak = MessageDigest.getInstance("MD5");
        // ok: java-weak-hash-or-cipher
        MessageDigest strong = MessageDigest.getInstance("SHA-256");
        // ruleid: java-weak-hash-or-cipher
        java.security.MessageDigest qualified = java.security.MessageDigest.getInstance("SHA1");
        // ruleid: java-weak-hash-or-cipher
        Cipher ecb = Cipher.getInstance("AES/ECB/PKCS5Padding");
        // ruleid: java-weak-hash-or-cipher
        javax.crypto.Cipher des = javax.crypto.Cipher.getInstance("DES/CBC/PKCS5Padding");
        // ok: java-weak-hash-or-cipher
        javax.crypto.Cipher qualifiedGcm = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
        // ok: java-weak-hash-or-cipher
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        return strong.digest(weak.digest(data));
    }

    String randomness() {
        // ruleid: java-insecure-random-secret
        long resetToken = new Random().nextLong();
        // ok: java-insecure-random-secret
        long sessionToken = new SecureRandom().nextLong();
        // ok: java-insecure-random-secret
        int dice = new Random().nextInt(6);
        return resetToken + ":" + sessionToken + dice;
    }

    String generatePassword() {
        // ruleid: java-insecure-random-secret
        return Long.toString(ThreadLocalRandom.current().nextLong(), 36);
    }

    Connection credentials() throws SQLException {
        // ruleid: java-hardcoded-credential
        String dbPassword = "hunter2hunter2";
        // ok: java-hardcoded-credential
        String dbPasswordFromEnv = System.getenv("DB_PASSWORD");
        // ok: java-hardcoded-credential
        String PROP_PASSWORD = "db.password"; // a property's key, not a secret
        // ruleid: java-hardcoded-credential
        Algorithm signing = Algorithm.HMAC256("shhhhh");
        // ruleid: java-hardcoded-credential
        AWSCredentials aws = new BasicAWSCredentials("AKIAEXAMPLE", "s3cr3t-aws-key");
        // ruleid: java-hardcoded-credential
        PasswordAuthentication mail = new PasswordAuthentication("mailer", "s3cr3t-smtp".toCharArray());
        // ok: java-hardcoded-credential
        AWSCredentials fromEnv = new BasicAWSCredentials(System.getenv("AWS_KEY"), System.getenv("AWS_SECRET"));
        // ok: java-hardcoded-credential
        Algorithm configured = Algorithm.HMAC256(System.getenv("JWT_SECRET"));
        return DriverManager.getConnection("jdbc:postgresql://db/app", "app", dbPasswordFromEnv);
    }

    boolean regexes(String text) {
        // ruleid: java-regex-redos
        boolean slow = Pattern.compile("^(a+)+$").matcher(text).matches();
        // ok: java-regex-redos
        boolean fast = Pattern.compile("^a+$").matcher(text).matches();
        return slow || fast;
    }

    void xml() throws Exception {
        // ruleid: java-xml-external-entities
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.newDocumentBuilder();
    }

    Object xmlQualified(java.io.InputStream in) throws Exception {
        // ruleid: java-xml-external-entities
        return javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
    }

    void xmlQualifiedHardened() throws Exception {
        // ok: java-xml-external-entities
        javax.xml.parsers.DocumentBuilderFactory dbf = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        dbf.newDocumentBuilder();
    }

    void xmlHardened() throws Exception {
        // ok: java-xml-external-entities
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        dbf.newDocumentBuilder();
    }

    void xmlDoctypesAllowed() throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        // ruleid: java-xml-external-entities
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
        SAXParserFactory spf = SAXParserFactory.newInstance();
        // ruleid: java-xml-external-entities
        spf.setFeature("http://xml.org/sax/features/external-general-entities", true);
        // ok: java-xml-external-entities
        spf.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
    }

    void temp() throws IOException {
        // ruleid: java-insecure-temp-file
        FileWriter writer = new FileWriter("/tmp/cache.txt");
        // ok: java-insecure-temp-file
        File safe = File.createTempFile("cache", ".txt");
    }

    // ok: java-tls-verification-disabled
    static class DefaultTrust {
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) throws Exception {
            if (chain.length == 0) throw new Exception("empty chain");
        }
    }

    // ruleid: java-tls-verification-disabled
    static class TrustAll implements X509TrustManager {
        public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}
        public java.security.cert.X509Certificate[] getAcceptedIssuers() { return null; }
    }
}

// markup built by concatenating unescaped values
class Params {
    String params(java.util.List<Object> values) {
        String s = "";
        for (Object p : values) {
            // ruleid: java-markup-built-from-values
            s = s + "<br>" + p.toString();
        }
        return s;
    }
    String paramsEscaped(java.util.List<Object> values) {
        String s = "";
        for (Object p : values) {
            // ok: java-markup-built-from-values
            s = s + "<br>" + Util.escape(p.toString());
        }
        return s;
    }
    String link(String url) {
        // ruleid: java-markup-built-from-values
        return "<a href='" + url + "'>here</a>";
    }
    String credentialLink(String base, String url) {
        String message = "";
        // ruleid: java-markup-built-from-values
        message += " (Maybe you need to <a href='" + base + "/enterCredential?" + url + "'>enter credential</a>?)";
        // ok: java-markup-built-from-values
        message += "/enterCredential?" + Util.escape(url) + "'>enter credential</a>";
        // ok: java-markup-built-from-values
        message += "Unable to access " + url + " : " + "failed";
        // ok: java-markup-built-from-values
        message += "<a href='" + req.getContextPath() + "/manage'>manage</a>";
        return message;
    }
    String count(java.util.List<Object> values) {
        // ok: java-markup-built-from-values
        return "<b>" + values.size() + "</b>";
    }
    String plain(String name) {
        // ok: java-markup-built-from-values
        return "Hello " + name + "!";
    }
}

class KeysAndProtocols {
    KeyPair keys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        // ruleid: java-weak-rsa-key
        generator.initialize(1024);
        // ok: java-weak-rsa-key
        generator.initialize(3072);
        return generator.generateKeyPair();
    }

    SSLContext context() throws Exception {
        // ruleid: java-tls-legacy-protocol
        SSLContext old = SSLContext.getInstance("TLSv1");
        // ok: java-tls-legacy-protocol
        SSLContext modern = SSLContext.getInstance("TLSv1.3");
        return modern;
    }
}

class InitVectors {
    Cipher fixed(SecretKey key) throws Exception {
        Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
        // ruleid: java-static-iv
        cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec("0123456789abcdef".getBytes()));
        byte[] zeros = new byte[16];
        // ruleid: java-static-iv
        cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(zeros));
        return cipher;
    }

    Cipher random(SecretKey key) throws Exception {
        Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
        byte[] iv = new byte[16];
        new SecureRandom().nextBytes(iv);
        // ok: java-static-iv
        cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
        return cipher;
    }
}

class Cookies {
    void remember(HttpServletRequest request, HttpServletResponse response, String user) {
        Cookie plain = new Cookie("user", user);
        // ruleid: java-cookie-without-secure-flag
        response.addCookie(plain);
        // ruleid: java-cookie-without-secure-flag
        response.addCookie(new javax.servlet.http.Cookie("theme", "light"));
        Cookie off = new Cookie("theme", "dark");
        // ruleid: java-cookie-secure-flag-off
        off.setSecure(false);
        // ok: java-cookie-without-secure-flag
        response.addCookie(off);
        Cookie secure = new Cookie("user", user);
        // ok: java-cookie-secure-flag-off
        secure.setSecure(true);
        secure.setHttpOnly(true);
        // ok: java-cookie-without-secure-flag
        response.addCookie(secure);
        Cookie asRequested = new Cookie("user", user);
        asRequested.setSecure(request.isSecure());
        // ok: java-cookie-without-secure-flag
        response.addCookie(asRequested);
        Cookie mapped = mapToCookie(builder.secure(true).build());
        // ok: java-cookie-without-secure-flag
        response.addCookie(mapped);
    }
}

class Permissions {
    void share(java.nio.file.Path path, java.io.File file) throws java.io.IOException {
        // ruleid: java-world-writable-permissions
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw-rw-"));
        Set<PosixFilePermission> perms = new HashSet<>();
        perms.add(PosixFilePermission.OWNER_WRITE);
        // ruleid: java-world-writable-permissions
        perms.add(PosixFilePermission.OTHERS_WRITE);
        // ruleid: java-world-writable-permissions
        file.setWritable(true, false);
        // ok: java-world-writable-permissions
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));
        // ok: java-world-writable-permissions
        perms.add(PosixFilePermission.OTHERS_READ);
        // ok: java-world-writable-permissions
        file.setWritable(true, true);
    }
}

class Login {
    boolean check(User user, String password, String confirmPassword) {
        // ruleid: java-plaintext-password-comparison
        boolean matches = user.password.equals(password);
        // ok: java-plaintext-password-comparison
        boolean confirmed = password.equals(confirmPassword);
        // ok: java-plaintext-password-comparison
        boolean verified = encoder.matches(password, user.passwordHash);
        return matches && confirmed && verified;
    }
}

class PasswordStore {
    byte[] store(String password, byte[] body) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        // ruleid: java-fast-hash-of-password
        byte[] hash = md.digest(password.getBytes(StandardCharsets.UTF_8));
        // ruleid: java-fast-hash-of-password
        String hex = DigestUtils.md5Hex(password);
        // ok: java-fast-hash-of-password
        String encoded = new BCryptPasswordEncoder().encode(password);
        // ok: java-fast-hash-of-password
        byte[] etag = md.digest(body);
        return hash;
    }
}

class JwtTokens {
    String user(HttpServletRequest request) {
        String token = request.getHeader("Authorization").substring(7);
        // ruleid: java-jwt-signature-not-verified
        DecodedJWT jwt = JWT.decode(token);
        return jwt.getSubject();
    }

    String verifiedUser(String token) {
        // ok: java-jwt-signature-not-verified
        String kid = JWT.decode(token).getKeyId();
        DecodedJWT jwt = JWT.require(Algorithm.RSA256(keys.get(kid), null)).build().verify(token);
        return jwt.getSubject();
    }

    String verified(String token) {
        // ok: java-jwt-signature-not-verified
        return JWT.require(Algorithm.HMAC256(secret)).withIssuer("auth0").build().verify(token).getSubject();
    }

    String unsigned(String user) {
        // ruleid: java-jwt-signature-not-verified
        return JWT.create().withSubject(user).sign(Algorithm.none());
    }

    String jjwtUnsigned(String token) {
        // ruleid: java-jwt-signature-not-verified
        return Jwts.parser().parseClaimsJwt(token).getBody().getSubject();
    }

    String jjwtSigned(String token) {
        // ok: java-jwt-signature-not-verified
        return Jwts.parser().setSigningKey(key).parseClaimsJws(token).getBody().getSubject();
    }

    String nimbus(String token) throws Exception {
        // ruleid: java-jwt-signature-not-verified
        return SignedJWT.parse(token).getJWTClaimsSet().getSubject();
    }

    String nimbusVerified(String token) throws Exception {
        // ok: java-jwt-signature-not-verified
        SignedJWT signed = SignedJWT.parse(token);
        if (!signed.verify(new MACVerifier(secret))) {
            throw new SecurityException("bad signature");
        }
        return signed.getJWTClaimsSet().getSubject();
    }

    void openSessions(com.jcraft.jsch.Session session, java.util.Properties config) {
        // ruleid: java-ssh-host-key-not-verified
        session.setConfig("StrictHostKeyChecking", "no");
        // ruleid: java-ssh-host-key-not-verified
        config.put("StrictHostKeyChecking", "no");
        // ok: java-ssh-host-key-not-verified
        session.setConfig("StrictHostKeyChecking", "yes");
    }

    boolean isAdmin(String password) {
        // ruleid: java-hardcoded-credential
        if (password.equals("s3cr3t-admin")) {
            return true;
        }
        // ok: java-hardcoded-credential
        return password.equals(System.getenv("ADMIN_PASSWORD"));
    }
}

@RestController
class UserResource {
    @PostMapping("/users")
    User create(@Valid @RequestBody User user) {
        // ruleid: java-mass-assignment-bound-entity
        return userRepository.save(user);
    }

    @PutMapping("/users/{id}")
    User update(@PathVariable Long id, @RequestBody User user) {
        user.setId(id);
        // ruleid: java-mass-assignment-bound-entity
        return userRepository.saveAndFlush(user);
    }

    @PostMapping("/owners/new")
    String processCreationForm(Owner owner, BindingResult result) {
        // ruleid: java-mass-assignment-bound-entity
        owners.save(owner);
        return "redirect:/owners/" + owner.getId();
    }

    @PostMapping("/system/user/edit")
    AjaxResult edit(@Validated @RequestBody SysUser user) {
        // ruleid: java-mass-assignment-bound-entity
        return toAjax(userService.updateUser(user));
    }

    @PostMapping("/users/dto")
    User createFromDto(@Valid @RequestBody UserDto dto) {
        User user = new User();
        user.setName(dto.getName());
        // ok: java-mass-assignment-bound-entity
        return userRepository.save(user);
    }

    @PostMapping("/users/request")
    User createFromRequest(@RequestBody CreateUserRequest request) {
        // ok: java-mass-assignment-bound-entity
        return userService.create(request);
    }

    @PutMapping("/config/{name}")
    GenConfig updateConfig(@PathVariable String name, @Validated @RequestBody GenConfig config) {
        // ruleid: java-mass-assignment-bound-entity
        return genConfigService.update(name, config);
    }

    @PostMapping("/refund")
    R refund(@RequestBody PayRefundOrder order) {
        // ruleid: java-mass-assignment-bound-entity
        return R.ok(payRefundOrderService.refund(order));
    }

    @PostMapping("/refund/check")
    R checkRefund(@RequestBody PayRefundOrder order) {
        // ok: java-mass-assignment-bound-entity
        return R.ok(payRefundOrderService.checkRefundable(order));
    }

    @RequestMapping("/oauth/callback/{source}")
    ModelAndView login(@PathVariable("source") String source, AuthCallback callback) {
        // ok: java-mass-assignment-bound-entity
        authService.login(source, callback);
        return ResultUtil.redirect("/");
    }

    @PostMapping("/goods/create")
    Object createGoods(@RequestBody GoodsAllinone goodsAllinone) {
        LitemallGoods goods = goodsAllinone.getGoods();
        String name = goodsAllinone.getName();
        // ok: java-mass-assignment-bound-entity
        goodsService.updateName(name);
        // ruleid: java-mass-assignment-bound-entity
        goodsService.add(goods);
        return ResponseUtil.ok();
    }

    @DeleteMapping("/tags")
    R removeTag(@RequestBody WxAccountTag tag) {
        // ok: java-mass-assignment-bound-entity
        return R.ok(wxAccountTagService.removeAccountTagById(tag));
    }

    @PutMapping("/resources/{id}")
    Result updateResource(@RequestAttribute(value = "session.user") User loginUser, @RequestParam("name") String name) {
        // ok: java-mass-assignment-bound-entity
        return resourceService.updateResource(loginUser, name);
    }

    @PutMapping("/account")
    void saveAccount(@Valid @RequestBody ManagedUserVM managedUserVM) {
        // ok: java-mass-assignment-bound-entity
        userService.updateUser(managedUserVM);
    }

    @PutMapping("/users2/{id}")
    User updateByField(@PathVariable Long id, @RequestBody User changes) {
        User existing = userRepository.findById(id).orElseThrow();
        existing.setName(changes.getName());
        // ok: java-mass-assignment-bound-entity
        return userRepository.save(existing);
    }

    @GetMapping("/search")
    String search(String name) {
        // ok: java-mass-assignment-bound-entity
        searchLog.add(name);
        return name;
    }

    private void store(User user) {
        // ok: java-mass-assignment-bound-entity
        userRepository.save(user);
    }
}

@Controller
class OwnerController {
    @InitBinder
    void setAllowedFields(WebDataBinder dataBinder) {
        dataBinder.setDisallowedFields("id");
    }

    @PostMapping("/owners/new")
    String processCreationForm(@Valid Owner owner, BindingResult result) {
        // ok: java-mass-assignment-bound-entity
        owners.save(owner);
        return "redirect:/owners/" + owner.getId();
    }
}

class JenkinsActions {
    // ruleid: java-stapler-web-method-without-post
    public synchronized void doConfigSubmit(StaplerRequest req, StaplerResponse rsp) throws IOException {
        checkPermission(CONFIGURE);
        JSONObject json = req.getSubmittedForm();
        description = json.getString("description");
        save();
        rsp.sendRedirect(".");
    }

    // ok: java-stapler-web-method-without-post
    @RequirePOST
    public synchronized void doSubmitDescription(StaplerRequest req, StaplerResponse rsp) throws IOException {
        checkPermission(CONFIGURE);
        setDescription(req.getParameter("description"));
        rsp.sendRedirect(".");
    }

    // ok: java-stapler-web-method-without-post
    @Restricted(NoExternalUse.class)
    @POST
    public HttpResponse doDoDelete() throws IOException {
        checkPermission(DELETE);
        Jenkins.get().removeNode(node);
        return HttpResponses.redirectTo("..");
    }

    // ruleid: java-stapler-web-method-without-post
    public HttpResponse doCancelQuietDown() {
        Jenkins.get().getQueue().scheduleMaintenance();
        return HttpResponses.redirectToDot();
    }

    // ruleid: java-stapler-web-method-without-post
    public HttpResponse doToggleOffline(@QueryParameter String offlineMessage) throws IOException {
        checkPermission(DISCONNECT);
        if (offlineMessage != null) {
            setTemporarilyOffline(true, new ByUser(offlineMessage));
        }
        return HttpResponses.redirectToDot();
    }

    // ok: java-stapler-web-method-without-post
    public void doSafeRestart(StaplerRequest req, StaplerResponse rsp) throws IOException {
        checkPermission(ADMINISTER);
        if (req != null && req.getMethod().equals("GET")) {
            req.getView(this, "_safeRestart.jelly").forward(req, rsp);
            return;
        }
        safeRestart();
    }

    // ok: java-stapler-web-method-without-post
    public void doConsoleText(StaplerRequest req, StaplerResponse rsp) throws IOException {
        rsp.setContentType("text/plain;charset=UTF-8");
        getLogText().writeLogTo(0, rsp.getWriter());
    }

    // ok: java-stapler-web-method-without-post
    public FormValidation doCheckName(@QueryParameter String value) {
        if (value.isEmpty()) {
            return FormValidation.error("required");
        }
        return FormValidation.ok();
    }

    // ok: java-stapler-web-method-without-post, java-stapler-web-method-without-permission-check
    @Deprecated
    @StaplerNotDispatchable
    public void doSubmitDescription(StaplerRequest req, StaplerResponse rsp) throws IOException {
        setDescription(req.getParameter("description"));
        save();
    }

    // ok: java-stapler-web-method-without-post
    public void doWork() {
        queue.clear();
        delete();
    }

    // ok: java-stapler-web-method-without-post
    private HttpResponse doDelete() {
        delete();
        return HttpResponses.ok();
    }
}

class ConnectionDescriptor {
    // ruleid: java-stapler-web-method-without-post, java-stapler-web-method-without-permission-check
    public FormValidation doTestConnection(@QueryParameter String serverUrl, @QueryParameter String credentialsId) {
        try {
            new Client(serverUrl, lookup(credentialsId)).ping();
            return FormValidation.ok("Success");
        } catch (IOException e) {
            return FormValidation.error(e, "Failed");
        }
    }

    // ok: java-stapler-web-method-without-post, java-stapler-web-method-without-permission-check
    @POST
    public FormValidation doTestRestConnection(@QueryParameter("url") String url, @QueryParameter("password") Secret password) {
        Jenkins.get().checkPermission(Jenkins.ADMINISTER);
        return new Client(url, password).ping() ? FormValidation.ok() : FormValidation.error("Failed");
    }

    // ok: java-stapler-web-method-without-permission-check
    public ListBoxModel doFillCredentialsIdItems(@AncestorInPath Item item, @QueryParameter String uri) {
        if (item == null ? !Jenkins.get().hasPermission(Jenkins.ADMINISTER) : !item.hasPermission(Item.EXTENDED_READ)) {
            return new StandardListBoxModel();
        }
        return new StandardListBoxModel().includeMatchingAs(ACL.SYSTEM, item, StandardCredentials.class, URIRequirementBuilder.fromUri(uri).build(), CredentialsMatchers.always());
    }

    // ruleid: java-stapler-web-method-without-permission-check
    public ListBoxModel doFillApiTokenIdItems(@AncestorInPath Item item, @QueryParameter String url) {
        return new StandardListBoxModel().includeEmptyValue().includeMatchingAs(ACL.SYSTEM, item, StringCredentials.class, Collections.emptyList(), CredentialsMatchers.always());
    }

    // ok: java-stapler-web-method-without-post
    public ListBoxModel doFillTenancyItems(@QueryParameter String tenancy) {
        ListBoxModel items = new ListBoxModel();
        items.add("Default");
        items.add("Dedicated");
        return items;
    }
}


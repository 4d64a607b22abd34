class Accounts {
    void create(String user, String password) {
        // ruleid: java-password-logged
        LOG.info("creating " + user + " / " + password);
        // ruleid: java-password-logged
        logger.debug("creating {} {}", user, password);
        // ok: java-password-logged
        logger.debug("creating {}", user);
        // ok: java-password-logged
        logger.debug("valid: {}", isValidPassword(password));
    }

    void remember(HttpServletResponse response, String password, String sessionId) {
        // ruleid: java-password-in-cookie
        response.addCookie(new Cookie("password", password));
        // ok: java-password-in-cookie
        response.addCookie(new Cookie("session", sessionId));
    }

    void install(PluginWrapper pw) {
        // ok: java-password-logged
        LOGGER.log(WARNING, "{0} is incompatible with {1}", new Object[] {name, pw.getVersion()});
    }
}

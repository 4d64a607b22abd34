public class AccountController : Controller {
    public IActionResult Login(string user, string password) {
        // ruleid: csharp-password-logged
        _logger.LogInformation("login {User} {Password}", user, password);
        // ruleid: csharp-password-logged
        _logger.LogDebug("login " + user + " " + password);
        // ok: csharp-password-logged
        _logger.LogInformation("login {User}", user);
        return Ok();
    }

    public void Remember(string password) {
        // ruleid: csharp-password-in-cookie
        Response.Cookies.Append("password", password);
        // ok: csharp-password-in-cookie
        Response.Cookies.Append("session", sessionId);
    }

    public void Report(Organization org) {
        // ok: csharp-password-logged
        _logger.LogInformation("Retrieved (UseResetPassword: {UseResetPassword})", org.UseResetPassword);
    }
}

using System.Data;
using System.Data.SqlClient;
using System.IO;
using System.Net;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Mvc;

class TaintCases : Controller
{
    void Comment(string comment)
    {
        // ruleid: csharp-taint-xss
        var html = Html.Raw("<p>" + comment + "</p>");
        // ok: csharp-taint-xss
        var safe = Html.Raw("<p>" + HtmlEncoder.Default.Encode(comment) + "</p>");
        // ok: csharp-taint-xss
        var fixedHtml = Html.Raw("<br>");
    }

    void Greet(string name)
    {
        if (!KnownNames.Contains(name))
        {
            // ruleid: csharp-taint-xss
            Response.Write("<p>unknown " + name + "</p>");
            return;
        }
        // ok: csharp-taint-xss
        Response.Write("<p>" + name + "</p>");
    }

    void GreetHome(string name)
    {
        if (name != HomeName)
        {
            // ruleid: csharp-taint-xss
            Response.Write("<p>not home " + name + "</p>");
            return;
        }
        // ok: csharp-taint-xss
        Response.Write("<p>" + name + "</p>");
    }

    void GreetIfGiven(string name)
    {
        if (name != "")
        {
            // ruleid: csharp-taint-xss
            Response.Write("<p>Hello " + name + "</p>");
        }
        if (!KnownNames.Contains(name))
        {
            return;
        }
        if (name != "")
        {
            // ok: csharp-taint-xss
            Response.Write("<p>Hello " + name + "</p>");
        }
    }

    void ShowPoll(string id)
    {
        if (id == DefaultPoll)
        {
            Response.Write("<p>default</p>");
        }
        else
        {
            // ruleid: csharp-taint-xss
            Response.Write("<p>poll " + id + "</p>");
        }
    }

    void CloneKnown(string url)
    {
        if (!KnownRepos.Contains(url))
        {
            url = "https://example.com/default.git";
        }
        // ok: csharp-taint-command-injection
        Process.Start("cmd.exe", "/c git clone " + url);
    }

    void CloneOther(string url, string fallback)
    {
        if (!KnownRepos.Contains(url)) url = fallback;
        // ruleid: csharp-taint-command-injection
        Process.Start("cmd.exe", "/c git clone " + url);
    }

    void Clone(string url)
    {
        // ruleid: csharp-taint-command-injection
        Process.Start("cmd.exe", "/c git clone " + url);
        // ruleid: csharp-taint-command-injection
        var psi = new ProcessStartInfo { FileName = "git", Arguments = "clone " + url };
        var fixedPsi = new ProcessStartInfo("git");
        fixedPsi.ArgumentList.Add("clone");
        // ok: csharp-taint-command-injection
        fixedPsi.ArgumentList.Add(url);
        // ok: csharp-taint-command-injection
        Process.Start("git", "--version");
        // ok: csharp-taint-command-injection
        Process.Start("git", "clone " + SanitizeGitUrl(url));
    }

    void Hello()
    {
        // ruleid: csharp-taint-xss
        Response.Write("Hello " + Request.Query["name"]);
        // ok: csharp-taint-xss
        Response.Write("Hello " + WebUtility.HtmlEncode(Request.Query["name"]));
    }

    string ReadFile(string name)
    {
        // ruleid: csharp-taint-path-traversal
        var text = System.IO.File.ReadAllText(Path.Combine("/var/data", name));
        // ok: csharp-taint-path-traversal
        var listed = System.IO.File.ReadAllText(Path.Combine("/var/data", FILES.GetValueOrDefault(name, "index.txt")));
        // ok: csharp-taint-path-traversal
        var safe = System.IO.File.ReadAllText(Path.Combine("/var/data", Path.GetFileName(name)));
        // ok: csharp-taint-path-traversal
        var index = System.IO.File.ReadAllText("/var/data/index.html");
        // ok: csharp-taint-path-traversal
        if (!File.Exists(Path.Combine("/var/data", name)))
        {
            return "";
        }
        // ruleid: csharp-taint-path-traversal
        using var reader = new System.IO.StreamReader(Path.Combine("/var/data", name));
        // ruleid: csharp-taint-path-traversal
        var listing = System.IO.Directory.GetFiles(Path.Combine("/var/data", name));
        return text + safe + index + reader.ReadLine() + listing.Length;
    }

    string ReadChecked(string name)
    {
        var full = Path.GetFullPath(Path.Combine("/var/data", name));
        if (!full.StartsWith("/var/data/"))
        {
            throw new IOException("outside");
        }
        // ok: csharp-taint-path-traversal
        return System.IO.File.ReadAllText(full);
    }

    ActionResult Image([FromRoute] string name, string[] extensions)
    {
        var path = extensions.Select(e => Path.Combine("/var/images", name + e)).FirstOrDefault(System.IO.File.Exists);
        // ruleid: csharp-taint-path-traversal
        return File(System.IO.File.OpenRead(path), "image/png");
    }

    ActionResult ImageChecked([FromRoute] string name, string[] extensions)
    {
        var path = extensions.Select(e => Path.GetFullPath(Path.Combine("/var/images", name + e))).FirstOrDefault(System.IO.File.Exists);
        if (!path.StartsWith("/var/images/"))
        {
            return BadRequest();
        }
        // ok: csharp-taint-path-traversal
        return File(System.IO.File.OpenRead(path), "image/png");
    }

    object Calc(string expr)
    {
        // ruleid: csharp-taint-code-injection
        return new System.Data.DataTable().Compute(expr, "");
    }

    object Fixed()
    {
        // ok: csharp-taint-code-injection
        return new System.Data.DataTable().Compute("1 + 2", "");
    }

    async void Proxy(HttpClient client)
    {
        // ruleid: csharp-taint-ssrf
        var body = await client.GetStringAsync(Request.Query["url"]);
        // ok: csharp-taint-ssrf
        var fixedBody = await client.GetStringAsync("https://api.example.com/");
    }

    IActionResult Login()
    {
        string next = Request.Query["next"];
        if (Url.IsLocalUrl(next))
        {
            // ok: csharp-taint-open-redirect
            return Redirect(next);
        }
        // ruleid: csharp-taint-open-redirect
        return Redirect(Request.Query["next"]);
    }

    [HttpPost]
    public ActionResult LogOn(LogOnModel model, string returnUrl)
    {
        if (!String.IsNullOrEmpty(returnUrl))
        {
            // ruleid: csharp-taint-open-redirect
            return Redirect(returnUrl);
        }
        if (Url.IsLocalUrl(returnUrl))
        {
            // ok: csharp-taint-open-redirect
            return Redirect(returnUrl);
        }
        return RedirectToAction("Index", "Home");
    }

    string LinkTo(string url)
    {
        // ok: csharp-taint-open-redirect
        Response.Redirect(url);
        return url;
    }

    void FindUser(SqlConnection conn)
    {
        string name = Request.Query["name"];
        // ruleid: csharp-taint-sql-injection
        var bad = new SqlCommand("SELECT * FROM Users WHERE Name = '" + name + "'", conn);
        // ok: csharp-taint-sql-injection
        var good = new SqlCommand("SELECT * FROM Users WHERE Name = @name", conn);
        good.Parameters.AddWithValue("@name", name);
        var cmd = conn.CreateCommand();
        // ruleid: csharp-taint-sql-injection
        cmd.CommandText = $"DELETE FROM Users WHERE Name = '{name}'";
        // ok: csharp-taint-sql-injection
        cmd.CommandText = "DELETE FROM Users WHERE Id = " + int.Parse(name);
    }

    int CountOrders(IDbConnection connection, string customer)
    {
        // ruleid: csharp-taint-sql-injection
        int a = connection.ExecuteScalar<int>("SELECT COUNT(*) FROM Orders WHERE Customer = '" + customer + "'");
        // ok: csharp-taint-sql-injection
        return a + connection.ExecuteScalar<int>("SELECT COUNT(*) FROM Orders WHERE Customer = @c", new { c = customer });
    }

    async Task WriteLog(string clientName, string? folder, Stream body)
    {
        // ruleid: csharp-taint-path-traversal
        var bad = new FileStream(Path.Combine(LogRoot, folder, clientName + ".log"), FileMode.CreateNew);
        var safeName = PathHelper.GetSafeLeafFileName(clientName);
        // ok: csharp-taint-path-traversal
        var named = new FileStream(Path.Combine(LogRoot, safeName + ".log"), FileMode.CreateNew);
        var path = Path.GetFullPath(Path.Combine(LogRoot, clientName));
        if (!PathHelper.IsContainedIn(LogRoot, path))
        {
            throw new ArgumentException("outside the log folder");
        }
        // ok: csharp-taint-path-traversal
        var checkedStream = new FileStream(path, FileMode.CreateNew);
    }

    public ActionResult GetSegment([FromRoute, Required] string itemId, [FromRoute, Required] string segmentId)
    {
        var file = Path.Combine(TranscodeRoot, segmentId + ".ts");
        // ruleid: csharp-taint-path-traversal
        return FileStreamResponseHelpers.GetStaticFileResult(file, "video/mp2t", false, HttpContext);
    }

    public ActionResult GetPlaylist([FromRoute, Required] string playlistId)
    {
        var file = Path.Combine(TranscodeRoot, playlistId + ".m3u8");
        // ruleid: csharp-taint-path-traversal
        return GetFileResult(file, file);
    }

    public ActionResult GetCheckedSegment([FromRoute, Required] string segmentId)
    {
        var file = Path.GetFullPath(Path.Combine(TranscodeRoot, segmentId + ".ts"));
        var fileDir = Path.GetDirectoryName(file);
        if (string.IsNullOrEmpty(fileDir) || !fileDir.StartsWith(TranscodeRoot))
        {
            return BadRequest("Invalid segment.");
        }
        // ok: csharp-taint-path-traversal
        return GetFileResult(file, file);
    }

    static readonly HashSet<string> AllowedHosts = new() { "api.example.com" };

    async Task<IActionResult> PreviewUnchecked(HttpClient client)
    {
        var uri = new Uri(Request.Query["url"]);
        // ruleid: csharp-taint-ssrf
        var body = await client.GetStringAsync(uri);
        return Ok(body);
    }

    async Task<IActionResult> PreviewChecked(HttpClient client)
    {
        var uri = new Uri(Request.Query["url"]);
        if (!AllowedHosts.Contains(uri.Host))
        {
            return BadRequest();
        }
        // ok: csharp-taint-ssrf
        var body = await client.GetStringAsync(uri);
        return Ok(body);
    }

    async Task<IActionResult> PreviewParsedString(HttpClient client)
    {
        string url = Request.Query["url"];
        Uri uri = new Uri(url);
        if (!AllowedHosts.Contains(uri.Host)) return BadRequest();
        // ok: csharp-taint-ssrf
        var resp = await client.GetAsync(url);
        return Ok();
    }

    async Task<IActionResult> PreviewIfAllowed(HttpClient client)
    {
        var uri = new Uri(Request.Query["url"]);
        if (AllowedHosts.Contains(uri.Host))
        {
            // ok: csharp-taint-ssrf
            return Ok(await client.GetStringAsync(uri));
        }
        // ruleid: csharp-taint-ssrf
        var req = WebRequest.Create(uri);
        return BadRequest();
    }

    async Task<IActionResult> PreviewClients(HttpClient client)
    {
        var uri = new Uri(Request.Query["url"]);
        // ruleid: csharp-taint-ssrf
        var msg = new HttpRequestMessage(HttpMethod.Get, uri);
        // ok: csharp-taint-ssrf
        var parsedOnly = new Uri(Request.Query["url"]);
        if (uri.Host != "api.example.com") return BadRequest();
        // ok: csharp-taint-ssrf
        await new WebClient().DownloadStringTaskAsync(uri);
        return Ok();
    }

    IActionResult ContinueTo()
    {
        var next = new Uri(Request.Query["next"]);
        if (next.Host != "app.example.com")
        {
            return Redirect("/");
        }
        // ok: csharp-taint-open-redirect
        return Redirect(next.ToString());
    }

    IActionResult ContinueUnchecked()
    {
        var next = new Uri(Request.Query["next"]);
        // ruleid: csharp-taint-open-redirect
        return Redirect(next.ToString());
    }

    // Uri.TryCreate: the out Uri carries the text it parsed
    async Task<IActionResult> FetchParsed()
    {
        if (!Uri.TryCreate(Request.Query["url"], UriKind.Absolute, out var uri))
        {
            return BadRequest();
        }
        // ruleid: csharp-taint-ssrf
        await _client.GetAsync(uri);
        return Ok();
    }

    async Task<IActionResult> FetchParsedChecked()
    {
        string url = Request.Query["url"];
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return BadRequest();
        }
        if (!AllowedHosts.Contains(uri.Host))
        {
            return BadRequest();
        }
        // ok: csharp-taint-ssrf
        await _client.GetAsync(uri);
        // ok: csharp-taint-ssrf
        await _client.GetStringAsync(url);
        return Ok();
    }

    // a passed check cleans its own branch, not the else; a failed check not its own branch
    void GreetAllowed(string name)
    {
        if (KnownNames.Contains(name))
        {
            // ok: csharp-taint-xss
            Response.Write("<p>" + name + "</p>");
        }
        else
        {
            // ruleid: csharp-taint-xss
            Response.Write("<p>unknown " + name + "</p>");
        }
        if (!(name == DefaultName))
        {
            // ruleid: csharp-taint-xss
            Response.Write("<p>not default " + name + "</p>");
        }
    }

    void ShowPollBoth(string id)
    {
        if (id == DefaultPoll)
        {
            // ok: csharp-taint-xss
            Response.Write("<p>poll " + id + "</p>");
        }
        else
        {
            // ruleid: csharp-taint-xss
            Response.Write("<p>poll " + id + "</p>");
        }
    }

    void ShowPage(string page)
    {
        if (!page.Contains(".."))
        {
            // ok: csharp-taint-xss
            Response.Write("<p>" + page + "</p>");
        }
        // ruleid: csharp-taint-xss
        Response.Write("<p>" + page + "</p>");
        if (page.Contains("..") || page.Contains("~"))
        {
            // ruleid: csharp-taint-xss
            Response.Write("<p>bad " + page + "</p>");
            return;
        }
        // ok: csharp-taint-xss
        Response.Write("<p>" + page + "</p>");
    }

    string ReadCheckedDir(string name)
    {
        var full = Path.GetFullPath(Path.Combine("/var/data", name));
        var dir = Path.GetDirectoryName(full);
        if (!dir.StartsWith("/var/data"))
        {
            // ruleid: csharp-taint-path-traversal
            System.IO.File.Delete(full);
            return "";
        }
        // ok: csharp-taint-path-traversal
        return System.IO.File.ReadAllText(full);
    }

    async Task<IActionResult> PreviewElse(HttpClient client)
    {
        var uri = new Uri(Request.Query["url"]);
        if (AllowedHosts.Contains(uri.Host))
        {
            // ok: csharp-taint-ssrf
            await client.GetAsync(uri);
        }
        else
        {
            // ruleid: csharp-taint-ssrf
            await client.GetAsync(uri);
        }
        if (uri.Host == "api.example.com")
            // ok: csharp-taint-ssrf
            await client.GetAsync(uri);
        else
            // ruleid: csharp-taint-ssrf
            await client.GetAsync(uri);
        return Ok();
    }

    async Task<IActionResult> PreviewRejected(HttpClient client)
    {
        string url = Request.Query["url"];
        var uri = new Uri(url);
        if (!AllowedHosts.Contains(uri.Host))
        {
            // ruleid: csharp-taint-ssrf
            await client.GetAsync(uri);
            // ruleid: csharp-taint-ssrf
            await client.GetAsync(url);
            return BadRequest();
        }
        // ok: csharp-taint-ssrf
        await client.GetAsync(uri);
        return Ok();
    }

    async Task<IActionResult> PreviewRejectedBare(HttpClient client)
    {
        var uri = new Uri(Request.Query["url"]);
        if (uri.Host != "api.example.com")
            // ruleid: csharp-taint-ssrf
            return Ok(await client.GetStringAsync(uri));
        // ok: csharp-taint-ssrf
        await client.GetAsync(uri);
        return Ok();
    }

    IActionResult LoginElse()
    {
        string next = Request.Query["next"];
        if (!Url.IsLocalUrl(next))
        {
            // ruleid: csharp-taint-open-redirect
            Response.Redirect(next);
        }
        if (Url.IsLocalUrl(next))
        {
            // ok: csharp-taint-open-redirect
            return Redirect(next);
        }
        else
        {
            // ruleid: csharp-taint-open-redirect
            return Redirect(next);
        }
    }

    // a failed check cleans what follows only when its branch leaves (a branch that only logs lets
    // the input through), and its else, where the check passed, whatever its branch does
    string ReadListed(string name)
    {
        if (!AllowedFiles.Contains(name))
        {
            _logger.LogWarning("unlisted file requested");
        }
        // ruleid: csharp-taint-path-traversal
        var text = System.IO.File.ReadAllText(Path.Combine("/var/data", name));
        if (!AllowedFiles.Contains(name))
        {
            text = "";
        }
        else
        {
            // ok: csharp-taint-path-traversal
            text = System.IO.File.ReadAllText(Path.Combine("/var/data", name));
        }
        return text;
    }

    string ReadUnderRoot(string name)
    {
        var full = Path.GetFullPath(Path.Combine("/var/data", name));
        if (!full.StartsWith("/var/data/")) _logger.LogWarning("outside the data folder");
        // ruleid: csharp-taint-path-traversal
        var text = System.IO.File.ReadAllText(full);
        if (!full.StartsWith("/var/data/"))
        {
            if (Strict) { return ""; }
            _logger.LogWarning("outside the data folder");
        }
        // ruleid: csharp-taint-path-traversal
        text += System.IO.File.ReadAllText(full);
        if (!full.StartsWith("/var/data/"))
            _logger.LogWarning("outside the data folder");
        else
            // ok: csharp-taint-path-traversal
            text += System.IO.File.ReadAllText(full);
        if (!full.StartsWith("/var/data/")) return "";
        // ok: csharp-taint-path-traversal
        return text + System.IO.File.ReadAllText(full);
    }

    void SaveUpload(string fileName, byte[] data)
    {
        var path = Path.GetFullPath(Path.Combine(UploadRoot, fileName));
        if (!PathHelper.IsContainedIn(UploadRoot, path))
        {
            _logger.LogWarning("upload outside the upload folder");
        }
        // ruleid: csharp-taint-path-traversal
        System.IO.File.WriteAllBytes(path, data);
        if (!PathHelper.IsContainedIn(UploadRoot, path))
        {
            Response.StatusCode = 400;
        }
        else
        {
            // ok: csharp-taint-path-traversal
            System.IO.File.WriteAllBytes(path, data);
        }
    }

    public ActionResult GetSegmentLogged([FromRoute, Required] string segmentId)
    {
        var file = Path.GetFullPath(Path.Combine(TranscodeRoot, segmentId + ".ts"));
        var fileDir = Path.GetDirectoryName(file);
        if (!fileDir.StartsWith(TranscodeRoot))
        {
            _logger.LogWarning("segment outside the transcode folder");
        }
        else
        {
            // ok: csharp-taint-path-traversal
            return GetFileResult(file, file);
        }
        // ruleid: csharp-taint-path-traversal
        return GetFileResult(file, file);
    }

    string ReadNoDots(string name)
    {
        if (name.Contains(".."))
        {
            _logger.LogWarning("dots in a file name");
        }
        // ruleid: csharp-taint-path-traversal
        var text = System.IO.File.ReadAllText(Path.Combine("/var/data", name));
        if (name.Contains("..") || Path.IsPathRooted(name))
            _logger.LogWarning("dots in a file name");
        else
            // ok: csharp-taint-path-traversal
            text = System.IO.File.ReadAllText(Path.Combine("/var/data", name));
        return text;
    }

    void CloneMatched(string repo, string branch)
    {
        if (!RepoName.IsMatch(repo))
        {
            _logger.LogWarning("odd repository name");
        }
        // ruleid: csharp-taint-command-injection
        Process.Start("git", "clone " + repo);
        if (!RepoName.IsMatch(repo))
        {
            Response.StatusCode = 400;
        }
        else
        {
            // ok: csharp-taint-command-injection
            Process.Start("git", "clone " + repo);
            // ruleid: csharp-taint-command-injection
            Process.Start("git", "checkout " + branch);
        }
        foreach (var mirror in Request.Form["mirrors"])
        {
            if (!RepoName.IsMatch(mirror))
            {
                _logger.LogWarning("odd mirror name");
                continue;
            }
            // ok: csharp-taint-command-injection
            Process.Start("git", "clone " + mirror);
        }
    }

    void GreetHomeElse(string name)
    {
        if (name != HomeName)
        {
            if (Strict) { return; }
            Response.StatusCode = 404;
        }
        // ruleid: csharp-taint-xss
        Response.Write("<p>" + name + "</p>");
        if (name != HomeName)
        {
            Response.StatusCode = 404;
        }
        else
        {
            // ok: csharp-taint-xss
            Response.Write("<p>" + name + "</p>");
        }
    }

    async Task<IActionResult> PreviewWarned(HttpClient client)
    {
        var uri = new Uri(Request.Query["url"]);
        if (!AllowedHosts.Contains(uri.Host))
        {
            _logger.LogWarning("unlisted host");
        }
        // ruleid: csharp-taint-ssrf
        var body = await client.GetStringAsync(uri);
        if (!AllowedHosts.Contains(uri.Host))
        {
            body = "";
        }
        else
        {
            // ok: csharp-taint-ssrf
            body = await client.GetStringAsync(uri);
        }
        return Ok(body);
    }

    async Task<IActionResult> PreviewParsedVar(HttpClient client)
    {
        string url = Request.Query["url"];
        var uri = new Uri(url);
        if (!AllowedHosts.Contains(uri.Host)) _logger.LogWarning("unlisted host");
        // ruleid: csharp-taint-ssrf
        await client.GetAsync(url);
        if (uri.Host != "api.example.com")
            _logger.LogWarning("another host");
        else
            // ok: csharp-taint-ssrf
            await client.GetAsync(uri);
        if (!AllowedHosts.Contains(uri.Host)) return BadRequest();
        // ok: csharp-taint-ssrf
        await client.GetAsync(url);
        return Ok();
    }

    IActionResult ContinueWarned()
    {
        var next = new Uri(Request.Query["next"]);
        if (next.Host != "app.example.com")
        {
            _logger.LogWarning("foreign host");
        }
        // ruleid: csharp-taint-open-redirect
        Response.Redirect(next.ToString());
        if (next.Host != "app.example.com")
        {
            _logger.LogWarning("foreign host");
        }
        else
        {
            // ok: csharp-taint-open-redirect
            return Redirect(next.ToString());
        }
        return Redirect("/");
    }

    IActionResult ReturnTo()
    {
        string returnUrl = Request.Query["returnUrl"];
        if (!Url.IsLocalUrl(returnUrl))
        {
            _logger.LogWarning("foreign return url");
        }
        // ruleid: csharp-taint-open-redirect
        Response.Redirect(returnUrl);
        if (!Url.IsLocalUrl(returnUrl))
        {
            _logger.LogWarning("foreign return url");
        }
        else
        {
            // ok: csharp-taint-open-redirect
            Response.Redirect(returnUrl);
        }
        if (!Url.IsLocalUrl(returnUrl))
        {
            return RedirectToAction("Index");
        }
        // ok: csharp-taint-open-redirect
        return Redirect(returnUrl);
    }
}

class JoinedNames
{
    byte[] ReadUnder(string baseDir, string name)
    {
        // ok: csharp-taint-path-traversal
        return File.ReadAllBytes(Path.Combine(baseDir, Path.GetFileName(name)));
    }

    byte[] ReadJoined(string baseDir, string name)
    {
        // ruleid: csharp-taint-path-traversal
        return File.ReadAllBytes(Path.Combine(baseDir, name));
    }
}

public class ErrorsController : Controller
{
    public IActionResult Run()
    {
        try
        {
            return Ok(Work());
        }
        catch (Exception ex)
        {
            // ruleid: csharp-taint-exception-exposed
            return StatusCode(500, ex.Message);
        }
    }

    public IActionResult Trace()
    {
        try
        {
            return Ok(Work());
        }
        catch (SqlException ex)
        {
            // ruleid: csharp-taint-exception-exposed
            return Content(ex.ToString());
        }
    }

    public IActionResult Logged()
    {
        try
        {
            return Ok(Work());
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "work failed");
            // ok: csharp-taint-exception-exposed
            return StatusCode(500, "internal error");
        }
    }

    public async Task Middleware(HttpContext context)
    {
        try
        {
            await _next(context);
        }
        catch (Exception ex)
        {
            if (!_hostEnvironment.IsDevelopment())
            {
                await context.Response.WriteAsync("Error processing request.");
                return;
            }
            // ok: csharp-taint-exception-exposed
            await context.Response.WriteAsync(ex.Message);
        }
    }

    public IActionResult Validation(string n)
    {
        try
        {
            return Ok(int.Parse(n));
        }
        catch (FormatException ex)
        {
            // ok: csharp-taint-exception-exposed
            return BadRequest(ex.Message);
        }
    }

    public async Task DevOnly(HttpContext context)
    {
        try
        {
            await _next(context);
        }
        catch (Exception ex)
        {
            if (_hostEnvironment.IsDevelopment())
            {
                // ok: csharp-taint-exception-exposed
                await context.Response.WriteAsync(ex.Message);
            }
            else
            {
                // ruleid: csharp-taint-exception-exposed
                await context.Response.WriteAsync(ex.Message);
            }
            if (!_hostEnvironment.IsDevelopment())
            {
                // ruleid: csharp-taint-exception-exposed
                await context.Response.WriteAsync(ex.ToString());
                return;
            }
        }
    }

    public async Task ProductionLogged(HttpContext context)
    {
        try
        {
            await _next(context);
        }
        catch (Exception ex)
        {
            if (!_hostEnvironment.IsDevelopment())
            {
                _logger.LogError(ex, "request failed");
            }
            // ruleid: csharp-taint-exception-exposed
            await context.Response.WriteAsync(ex.Message);
            if (!_hostEnvironment.IsDevelopment())
            {
                await context.Response.WriteAsync("Error processing request.");
            }
            else
            {
                // ok: csharp-taint-exception-exposed
                await context.Response.WriteAsync(ex.ToString());
            }
        }
    }
}

class Tool
{
    static void Main(string[] args)
    {
        var name = Console.ReadLine();
        // ruleid: csharp-taint-command-injection
        Process.Start("sh", "-c \"grep " + name + " users.txt\"");
        var conn = new SqlConnection(ConnectionString);
        // ruleid: csharp-taint-sql-injection
        var byArgument = new SqlCommand("SELECT * FROM Users WHERE Name = '" + args[0] + "'", conn);
        // ok: csharp-taint-path-traversal
        var text = File.ReadAllText(Console.ReadLine());
        // ok: csharp-taint-command-injection
        Process.Start("git", "--version");
    }
}

class LogCases : Controller
{
    private readonly ILogger<LogCases> _logger;

    void FailedLogin()
    {
        string user = Request.Query["user"];
        // ruleid: csharp-taint-log-injection
        _logger.LogInformation("failed login for " + user);
        // ok: csharp-taint-log-injection
        _logger.LogWarning("rejected login for " + user);
        // ruleid: csharp-taint-log-injection
        _logger.LogInformation("failed login for {User}", Request.Form["name"]);
        // ok: csharp-taint-log-injection
        _logger.LogInformation("failed login for " + user.Replace("\r", "").Replace("\n", ""));
        string clean = user.Replace(Environment.NewLine, " ");
        // ok: csharp-taint-log-injection
        _logger.LogInformation("failed login for {User}", clean);
        // ok: csharp-taint-log-injection
        _logger.LogInformation("failed login from {Ip}", HttpContext.Connection.RemoteIpAddress);
        // ruleid: csharp-taint-log-injection
        new TraceSource("auth").TraceInformation(user + " logged in");
        // ruleid: csharp-taint-log-injection
        System.Diagnostics.Trace.TraceInformation("login of {0}", user);
        // ok: csharp-taint-log-injection
        new TraceSource("auth").TraceInformation(clean + " logged in");
    }

    void Process(string name)
    {
        // ok: csharp-taint-log-injection
        _logger.LogInformation("processing " + name);
    }

    void KnownUser()
    {
        string user = Request.Query["user"];
        if (KnownUsers.Contains(user))
        {
            // ok: csharp-taint-log-injection
            _logger.LogInformation("known user " + user);
        }
        else
        {
            // ruleid: csharp-taint-log-injection
            _logger.LogInformation("unknown user " + user);
        }
    }

    void UnknownUser()
    {
        string user = Request.Query["user"];
        if (!KnownUsers.Contains(user))
        {
            _logger.LogWarning("unknown user");
        }
        // ruleid: csharp-taint-log-injection
        _logger.LogInformation("signed in: " + user);
        if (!KnownUsers.Contains(user))
        {
            Response.StatusCode = 403;
        }
        else
        {
            // ok: csharp-taint-log-injection
            _logger.LogInformation("known user " + user);
        }
    }

    // a branch that ends in an if/else whose branches both leave leaves; one whose else falls through does not
    IActionResult RunTool(string tool, string other)
    {
        if (!AllowedTools.Contains(tool))
        {
            _logger.LogWarning("unknown tool");
            if (Request.Query["quiet"] == "1")
            {
                return NotFound();
            }
            else
            {
                throw new ArgumentException("unknown tool");
            }
        }
        // ok: csharp-taint-command-injection
        Process.Start("run", tool);
        if (!AllowedTools.Contains(other))
        {
            _logger.LogWarning("unknown tool");
            if (Request.Query["strict"] == "1")
            {
                return NotFound();
            }
            else
            {
                _logger.LogWarning("running it anyway");
            }
        }
        // ruleid: csharp-taint-command-injection
        Process.Start("run", other);
        return Ok();
    }
}

// A request field as the name of the assembly loaded, the type resolved or the method looked up
class PluginHandler : System.Web.IHttpHandler {
  static readonly string[] Plugins = { "CsvExport", "PdfExport" };

  public void ProcessRequest(System.Web.HttpContext ctx) {
    string path = ctx.Request.QueryString["assemblyPath"];
    // ruleid: csharp-taint-unsafe-reflection
    var asm = Assembly.LoadFile(path);
    // ruleid: csharp-taint-unsafe-reflection
    Type t = Type.GetType(ctx.Request.QueryString["type"]);
    // ruleid: csharp-taint-unsafe-reflection
    MethodInfo m = t.GetMethod(ctx.Request.Form["method"]);
    m.Invoke(null, null);
    // ok: csharp-taint-unsafe-reflection
    var fixedAsm = Assembly.LoadFile(@"C:\SafeLibraries\Config.dll");
  }

  public void Load(System.Web.HttpContext ctx) {
    string name = ctx.Request.QueryString["plugin"];
    if (!Plugins.Contains(name)) {
      return;
    }
    // ok: csharp-taint-unsafe-reflection
    Type t = Type.GetType("Plugins." + name);
    Activator.CreateInstance(t);
  }

  Type Resolve(string typeName) {
    // ok: csharp-taint-unsafe-reflection
    return Type.GetType(typeName);
  }

  // A name compared with Equals, as with == and !=
  public void LoadKnown(System.Web.HttpContext ctx) {
    string kind = ctx.Request.QueryString["kind"];
    if (kind.Equals("CsvExport", StringComparison.Ordinal)) {
      // ok: csharp-taint-unsafe-reflection
      Activator.CreateInstance(Type.GetType(kind));
    }
    if (string.Equals(kind, "PdfExport")) {
      // ok: csharp-taint-unsafe-reflection
      Activator.CreateInstance(Type.GetType(kind));
    } else {
      // ruleid: csharp-taint-unsafe-reflection
      Activator.CreateInstance(Type.GetType(kind));
    }
    if (!kind.Equals("CsvExport")) {
      // ruleid: csharp-taint-unsafe-reflection
      Activator.CreateInstance(Type.GetType(kind));
    }
  }

  public void LoadOnlyKnown(System.Web.HttpContext ctx) {
    string kind = ctx.Request.QueryString["kind"];
    if (!"CsvExport".Equals(kind)) {
      return;
    }
    // ok: csharp-taint-unsafe-reflection
    Activator.CreateInstance(Type.GetType(kind));
  }
}

class BoundRedirects : Controller
{
    [HttpPost]
    public IActionResult Post([FromBody] string value, [FromQuery(Name = "next")] string next, string label)
    {
        // ruleid: csharp-taint-open-redirect
        Response.Headers["Location"] = value;
        // ruleid: csharp-taint-open-redirect
        Response.Headers.Add(HeaderNames.Location, value);
        // ruleid: csharp-taint-open-redirect
        HttpContext.Response.GetTypedHeaders().Location = new Uri(next);
        // ok: csharp-taint-open-redirect
        Response.Headers["Location"] = "/home";
        var fields = new Dictionary<string, string>();
        // ok: csharp-taint-open-redirect
        fields.Add("location", value);
        // ok: csharp-taint-open-redirect
        return RedirectPermanent(label);
    }

    public void ProcessRequest(HttpContext ctx)
    {
        // ruleid: csharp-taint-open-redirect
        ctx.Response.Redirect(ctx.Request.QueryString["page"]);
        // ruleid: csharp-taint-open-redirect
        ctx.Server.Transfer(ctx.Request.Query["page"]);
        if (Url.IsLocalUrl(ctx.Request.Query["page"]))
        {
            // ok: csharp-taint-open-redirect
            ctx.Response.Redirect(ctx.Request.Query["page"]);
        }
        string url = ctx.Request.Query["page"];
        if (new UrlHelper(null).IsLocalUrl(url) || IsLocalUrl(url))
        {
            // ok: csharp-taint-open-redirect
            ctx.Response.Redirect(url);
        }
        if (!IsLocalUrl(url))
        {
            return;
        }
        // ok: csharp-taint-open-redirect
        ctx.Response.Redirect(url);
    }

    public IActionResult Show(HttpContext ctx)
    {
        string page = ctx.Request.Query["page"];
        // ok: csharp-taint-open-redirect
        ctx.Response.Redirect("show.aspx?page=" + page);
        // ok: csharp-taint-open-redirect
        ctx.Response.Redirect($"/pages/{page}");
        // ok: csharp-taint-open-redirect
        ctx.Response.Redirect(HttpUtility.UrlEncode(page));
        // ruleid: csharp-taint-open-redirect
        ctx.Response.Redirect($"{page}/index");
        // ruleid: csharp-taint-open-redirect
        return Redirect("//" + page);
    }
}

class Unzip
{
    const string destination = "/srv/files";

    void Extract(ZipArchive archive)
    {
        foreach (var entry in archive.Entries)
        {
            // ruleid: csharp-taint-zip-slip
            entry.ExtractToFile(Path.Combine(destination, entry.FullName), true);
            // ok: csharp-taint-zip-slip
            entry.ExtractToFile(Path.Combine(destination, Path.GetFileName(entry.FullName)), true);
            string joined = Path.Combine(destination, entry.FullName);
            if (joined.StartsWith(destination))
                // ruleid: csharp-taint-zip-slip
                entry.ExtractToFile(joined, true);
            var full = Path.GetFullPath(Path.Combine(destination, entry.FullName));
            if (full.StartsWith(destination + Path.DirectorySeparatorChar))
            {
                // ok: csharp-taint-zip-slip
                entry.ExtractToFile(full, true);
            }
            else
            {
                // ruleid: csharp-taint-zip-slip
                File.WriteAllText(full, "");
            }
            // ok: csharp-taint-zip-slip
            entry.ExtractToFile(Path.Combine(destination, entry.Name), true);
        }
    }
}

class WebFormsHandler
{
    public void ProcessRequest(HttpContext ctx)
    {
        string name = ctx.Request.QueryString["name"];
        // ruleid: csharp-taint-xss
        ctx.Response.Write("<p>" + name + "</p>");
        // ok: csharp-taint-xss
        ctx.Response.Write("<p>" + HttpUtility.HtmlEncode(name) + "</p>");
        try
        {
            Save(name);
        }
        catch (DbException ex)
        {
            // ruleid: csharp-taint-exception-exposed
            ctx.Response.Write(ex.Message);
            // ok: csharp-taint-exception-exposed
            ctx.Response.Write("could not save");
        }
    }
}

class DirectoryQueries
{
    static readonly string[] Fields = { "home", "mail" };

    void Find(HttpContext ctx, XmlDocument doc, XPathNavigator nav)
    {
        string user = ctx.Request.QueryString["user"];
        var query = "//users/user[login/text()='" + user + "']/home_dir/text()";
        // ruleid: csharp-taint-xpath-injection
        XPathExpression.Compile(query);
        // ruleid: csharp-taint-xpath-injection
        doc.SelectNodes(query);
        // ruleid: csharp-taint-xpath-injection
        nav.Evaluate(query);
        // ok: csharp-taint-xpath-injection
        nav.Evaluate(XPathExpression.Compile("//users/user[login/text()=$user]/home_dir/text()"));
        // ok: csharp-taint-xpath-injection
        var names = Fields.Select(f => f + user).ToList();
        string field = ctx.Request.QueryString["field"];
        if (Fields.Contains(field))
        {
            // ok: csharp-taint-xpath-injection
            doc.SelectSingleNode("//user/" + field);
        }
        // ruleid: csharp-taint-ldap-injection
        var searcher = new DirectorySearcher("(sAMAccountName=" + user + ")");
        // ruleid: csharp-taint-ldap-injection
        searcher.Filter = $"(mail={user})";
        // ok: csharp-taint-ldap-injection
        searcher.Filter = "(mail=" + Encoder.LdapFilterEncode(user) + ")";
    }
}

class FormatCases : Controller
{
    string Greeting()
    {
        string template = Request.Query["template"];
        // ruleid: csharp-taint-format-string
        var text = String.Format(template, User.Identity.Name);
        // ruleid: csharp-taint-format-string
        text += string.Format(CultureInfo.InvariantCulture, Request.Form["suffix"], DateTime.Now);
        // ok: csharp-taint-format-string
        text += String.Format("{0} {1}", template, User.Identity.Name);
        // ok: csharp-taint-format-string
        text += String.Format(CultureInfo.InvariantCulture, "{0}", template);
        return text;
    }
}

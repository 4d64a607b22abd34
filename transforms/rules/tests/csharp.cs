using System;
using System.Data.SqlClient;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Runtime.Serialization.Formatters.Binary;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Xml;

public class Fixture
{
    void Sql(SqlConnection conn, string name)
    {
        // ruleid: csharp-sql-built-by-formatting
        var cmd = new SqlCommand("SELECT * FROM users WHERE name = '" + name + "'", conn);
        // ok: csharp-sql-built-by-formatting
        Console.WriteLine("SELECT * FROM users WHERE name = '" + name + "'");
        // ok: csharp-sql-built-by-formatting
        _logger.LogDebug("DELETE FROM users WHERE id = " + name);
        // ruleid: csharp-sql-built-by-formatting
        var del = new SqlCommand($"DELETE FROM users WHERE id = {name}", conn);
        // ok: csharp-sql-built-by-formatting
        var safe = new SqlCommand("SELECT * FROM users WHERE name = @name", conn);
        // ok: csharp-sql-built-by-formatting
        Console.WriteLine("selected " + name);
        // ok: csharp-sql-built-by-formatting
        var byId = new SqlCommand("SELECT name FROM users " + "WHERE id = @id", conn);
        var tableQuoted = new SqlCommandBuilder().QuoteIdentifier(name);
        // ok: csharp-sql-built-by-formatting
        var fromTable = new SqlCommand("SELECT name, email " +
            "FROM " + tableQuoted + " WHERE id = @id", conn);
    }

    void Commands(string host)
    {
        // ruleid: csharp-command-injection
        Process.Start("ping -c 1 " + host);
        // ok: csharp-command-injection
        Process.Start("uptime");
    }

    object Deserialize(Stream stream)
    {
        // ruleid: csharp-unsafe-deserialization
        var formatter = new BinaryFormatter();
        return formatter.Deserialize(stream);
    }

    object DeserializeJson(string json)
    {
        // ok: csharp-unsafe-deserialization
        return System.Text.Json.JsonSerializer.Deserialize<int[]>(json);
    }

    byte[] Hashes(byte[] data)
    {
        // ruleid: csharp-weak-hash-or-cipher
        var weak = MD5.Create().ComputeHash(data);
        // ok: csharp-weak-hash-or-cipher
        var strong = SHA256.Create().ComputeHash(data);
        return strong;
    }

    int Numbers()
    {
        var rng = new Random();
        // ruleid: csharp-insecure-random-secret
        int resetToken = rng.Next();
        // ok: csharp-insecure-random-secret
        int dice = rng.Next(6);
        return resetToken + dice;
    }

    static readonly Random Generator = new Random();

    string NewSessionToken()
    {
        var token = new System.Text.StringBuilder();
        // ruleid: csharp-insecure-random-secret
        token.Append(Generator.Next(16).ToString("x"));
        return token.ToString();
    }

    int RollDice()
    {
        // ok: csharp-insecure-random-secret
        return Generator.Next(6) + 1;
    }

    string Credentials()
    {
        // ruleid: csharp-hardcoded-credential
        string dbPassword = "hunter2hunter2";
        // ok: csharp-hardcoded-credential
        string dbPasswordFromEnv = Environment.GetEnvironmentVariable("DB_PASSWORD");
        // ok: csharp-hardcoded-credential
        const string Password = "password";  // a claim's key, not a secret
        // ruleid: csharp-hardcoded-credential
        var signing = new SymmetricSecurityKey(Encoding.UTF8.GetBytes("shhhhh-signing-key"));
        // ruleid: csharp-hardcoded-credential
        var smtp = new NetworkCredential("mailer", "s3cr3t-smtp");
        // ok: csharp-hardcoded-credential
        var smtpFromEnv = new NetworkCredential("mailer", dbPasswordFromEnv);
        // ok: csharp-hardcoded-credential
        var configured = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(dbPasswordFromEnv));
        // ruleid: csharp-hardcoded-credential
        var connection = new SqlConnection("Server=db;User Id=sa;Password=hunter2hunter2;");
        // ok: csharp-hardcoded-credential
        var trusted = new SqlConnection("Server=db;Integrated Security=true;");
        return dbPassword + dbPasswordFromEnv;
    }

    void Tls()
    {
        // ruleid: csharp-tls-verification-disabled
        ServicePointManager.ServerCertificateValidationCallback = (sender, cert, chain, errors) => true;
        // ok: csharp-tls-verification-disabled
        ServicePointManager.ServerCertificateValidationCallback = (sender, cert, chain, errors) => errors == System.Net.Security.SslPolicyErrors.None;
    }

    void Xml(XmlReaderSettings settings)
    {
        // ruleid: csharp-xml-external-entities
        settings.DtdProcessing = DtdProcessing.Parse;
        // ok: csharp-xml-external-entities
        settings.DtdProcessing = DtdProcessing.Prohibit;
    }

    bool Regexes(string text)
    {
        // ruleid: csharp-regex-redos
        var slow = new Regex("^(a+)+$");
        // ok: csharp-regex-redos
        var fast = new Regex("^a+$");
        return slow.IsMatch(text) || fast.IsMatch(text);
    }

    string Temp()
    {
        // ruleid: csharp-insecure-temp-file
        return Path.GetTempFileName();
    }

    string PrivateTemp()
    {
        // ok: csharp-insecure-temp-file
        return Directory.CreateTempSubdirectory("cache").FullName;
    }

    IHtmlContent Badge(IHtmlHelper Html, User user)
    {
        // ruleid: csharp-html-raw-of-built-string
        var badge = Html.Raw($"<span class=\"badge\">{user.DisplayName}</span>");
        // ok: csharp-html-raw-of-built-string
        var encoded = Html.Raw($"<span class=\"badge\">{HtmlEncoder.Default.Encode(user.DisplayName)}</span>");
        // ruleid: csharp-html-raw-of-built-string
        var title = new HtmlString("<b>" + user.Title + "</b>");
        // ok: csharp-html-raw-of-built-string
        var br = Html.Raw("<br/>");
        // ruleid: csharp-html-raw-of-built-string
        return new HtmlString(string.Format("<a href=\"{0}\">{1}</a>", user.Url, user.DisplayName));
    }
}

class KeysAndProtocols
{
    object Keys()
    {
        // ruleid: csharp-weak-rsa-key
        var small = new RSACryptoServiceProvider(1024);
        // ok: csharp-weak-rsa-key
        var large = RSA.Create(3072);
        // ruleid: csharp-tls-legacy-protocol
        ServicePointManager.SecurityProtocol = SecurityProtocolType.Tls11;
        // ok: csharp-tls-legacy-protocol
        ServicePointManager.SecurityProtocol = SecurityProtocolType.Tls12;
        return new object[] { small, large };
    }
}

class InitVectors
{
    ICryptoTransform Fixed(Aes aes)
    {
        // ruleid: csharp-static-iv
        aes.IV = new byte[16];
        // ruleid: csharp-static-iv
        aes.IV = Encoding.UTF8.GetBytes("0123456789abcdef");
        // ok: csharp-static-iv
        aes.GenerateIV();
        return aes.CreateEncryptor();
    }
}

class Permissions
{
    void Share(string path, FileInfo info)
    {
        // ruleid: csharp-world-writable-permissions
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite);
        // ruleid: csharp-world-writable-permissions
        info.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        // ok: csharp-world-writable-permissions
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        // ok: csharp-world-writable-permissions
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}

class Login
{
    bool Check(User user, string password, string confirmPassword)
    {
        // ruleid: csharp-plaintext-password-comparison
        bool matches = user.Password == password;
        // ok: csharp-plaintext-password-comparison
        bool confirmed = password == confirmPassword;
        // ok: csharp-plaintext-password-comparison
        bool verified = hasher.VerifyHashedPassword(user, user.PasswordHash, password) == PasswordVerificationResult.Success;
        return matches && confirmed && verified;
    }
}

class PasswordStore
{
    byte[] Store(string password, byte[] body)
    {
        // ruleid: csharp-fast-hash-of-password
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(password));
        // ruleid: csharp-weak-hash-or-cipher
        using var sha1 = SHA1.Create();
        // ruleid: csharp-fast-hash-of-password
        byte[] legacy = sha1.ComputeHash(Encoding.UTF8.GetBytes(password));
        // ok: csharp-fast-hash-of-password
        byte[] derived = Rfc2898DeriveBytes.Pbkdf2(password, salt, 600000, HashAlgorithmName.SHA256, 32);
        // ok: csharp-fast-hash-of-password
        byte[] etag = SHA256.HashData(body);
        return hash;
    }
}

public class TokenService
{
    public string User(string token)
    {
        var handler = new JwtSecurityTokenHandler();
        // ruleid: csharp-jwt-signature-not-verified
        var jwt = handler.ReadJwtToken(token);
        return jwt.Subject;
    }

    public string VerifiedUser(string token)
    {
        var handler = new JwtSecurityTokenHandler();
        // ok: csharp-jwt-signature-not-verified
        var kid = handler.ReadJwtToken(token).Header.Kid;
        var principal = handler.ValidateToken(token, Parameters(kid), out var validated);
        return principal.Identity.Name;
    }

    public TokenValidationParameters Loose()
    {
        return new TokenValidationParameters
        {
            ValidateIssuer = false,
            // ruleid: csharp-jwt-signature-not-verified
            RequireSignedTokens = false,
            // ruleid: csharp-jwt-signature-not-verified
            SignatureValidator = (token, parameters) => new JwtSecurityToken(token),
        };
    }

    public TokenValidationParameters Strict(SecurityKey key)
    {
        return new TokenValidationParameters
        {
            // ok: csharp-jwt-signature-not-verified
            RequireSignedTokens = true,
            IssuerSigningKey = key,
        };
    }
}

public class Startup
{
    public void ConfigureServices(IServiceCollection services)
    {
        // ruleid: csharp-directory-listing-enabled
        services.AddDirectoryBrowser();
    }

    public void Configure(IApplicationBuilder app)
    {
        // ok: csharp-directory-listing-enabled
        app.UseStaticFiles();
        // ruleid: csharp-directory-listing-enabled
        app.UseDirectoryBrowser(new DirectoryBrowserOptions { RequestPath = "/files" });
        // ruleid: csharp-directory-listing-enabled
        app.UseFileServer(enableDirectoryBrowsing: true);
        // ok: csharp-directory-listing-enabled
        app.UseFileServer(enableDirectoryBrowsing: false);
    }
}

public class Lifetimes
{
    public TokenValidationParameters Loose(SecurityKey key)
    {
        return new TokenValidationParameters
        {
            IssuerSigningKey = key,
            // ruleid: csharp-jwt-expiry-not-checked
            ValidateLifetime = false,
        };
    }

    public TokenValidationParameters Strict(SecurityKey key)
    {
        return new TokenValidationParameters
        {
            IssuerSigningKey = key,
            // ok: csharp-jwt-expiry-not-checked
            ValidateLifetime = true,
        };
    }

    object Deserialize(string text)
    {
        // ruleid: csharp-unsafe-deserialization
        var withTypes = new JavaScriptSerializer(new SimpleTypeResolver());
        // ok: csharp-unsafe-deserialization
        var plain = new JavaScriptSerializer();
        return plain.DeserializeObject(text) ?? withTypes.DeserializeObject(text);
    }
}

class EmployeeXml
{
    void Write(XmlWriter writer, string employeeName)
    {
        // ruleid: csharp-xml-written-raw-from-built-string
        writer.WriteRaw("<employee><name>" + employeeName + "</name></employee>");
        // ok: csharp-xml-written-raw-from-built-string
        writer.WriteRaw("<employee><name>" + SecurityElement.Escape(employeeName) + "</name></employee>");
        // ok: csharp-xml-written-raw-from-built-string
        writer.WriteElementString("name", employeeName);
    }
}

public class TodoItemsController : ControllerBase
{
    [HttpPut("{id}")]
    public async Task<IActionResult> PutTodoItem(long id, TodoItem todoItem)
    {
        if (id != todoItem.Id) return BadRequest();
        // ruleid: csharp-mass-assignment-bound-entity
        _context.Entry(todoItem).State = EntityState.Modified;
        await _context.SaveChangesAsync();
        return NoContent();
    }

    [HttpPost]
    [ValidateAntiForgeryToken]
    public async Task<ActionResult<TodoItem>> PostTodoItem([FromBody] TodoItem todoItem)
    {
        // ruleid: csharp-mass-assignment-bound-entity
        _context.TodoItems.Add(todoItem);
        await _context.SaveChangesAsync();
        return CreatedAtAction(nameof(PostTodoItem), new { id = todoItem.Id }, todoItem);
    }

    [HttpPost("edit/{id}")]
    public async Task<IActionResult> Edit(int id, Movie movie)
    {
        // ruleid: csharp-mass-assignment-bound-entity
        await _repository.UpdateAsync(movie);
        return Ok();
    }

    [HttpPost]
    public async Task<ActionResult<TodoItemDTO>> PostDto(TodoItemDTO todoDTO)
    {
        var todoItem = new TodoItem { IsComplete = todoDTO.IsComplete, Name = todoDTO.Name };
        // ok: csharp-mass-assignment-bound-entity
        _context.TodoItems.Add(todoItem);
        await _context.SaveChangesAsync();
        return Ok();
    }

    [HttpPost]
    public async Task<IActionResult> Create([Bind("EnrollmentDate,FirstMidName,LastName")] Student student)
    {
        // ok: csharp-mass-assignment-bound-entity
        _context.Add(student);
        await _context.SaveChangesAsync();
        return Ok();
    }

    [HttpPut("{id}")]
    public async Task<IActionResult> PutByField(long id, TodoItem changes)
    {
        var item = await _context.TodoItems.FindAsync(id);
        item.Name = changes.Name;
        // ok: csharp-mass-assignment-bound-entity
        _context.Update(item);
        await _context.SaveChangesAsync();
        return NoContent();
    }

    [HttpPost]
    public async Task<IActionResult> Enable([BindNever] Provider provider)
    {
        provider.Enabled = true;
        // ok: csharp-mass-assignment-bound-entity
        await _providerService.UpdateAsync(provider);
        return Ok();
    }

    [HttpPost("register")]
    public async Task<IActionResult> Register(User user)
    {
        // ruleid: csharp-mass-assignment-bound-entity
        await _userService.RegisterAsync(user);
        return Ok();
    }

    [HttpPost("exists")]
    public async Task<IActionResult> Exists(User user)
    {
        // ok: csharp-mass-assignment-bound-entity
        return Ok(await _userService.ExistsAsync(user));
    }

    [HttpPut("payment-methods/{paymentMethodId}")]
    public async Task<IActionResult> UpdatePaymentMethod([ModelBinder(typeof(PaymentMethodIdModelBinder))] PaymentMethod paymentMethod, [FromBody] UpdatePaymentMethodRequest request)
    {
        // ok: csharp-mass-assignment-bound-entity
        await _storeService.SetPaymentMethodConfig(paymentMethod, request.Config);
        return Ok();
    }

    [HttpPost("users/remove")]
    public async Task<IActionResult> RemoveUser(User user)
    {
        // ok: csharp-mass-assignment-bound-entity
        await _userService.RemoveAsync(user);
        return Ok();
    }

    [HttpPut("recover/{id}")]
    public async Task<IActionResult> PutRecoverAccount(Guid id, [InjectOrganizationUser] OrganizationUser target)
    {
        // ok: csharp-mass-assignment-bound-entity
        await _organizationService.UpdateUserAsync(target);
        return Ok();
    }

    [HttpPost("position")]
    public async Task<IActionResult> UpdateListItemPosition(UpdateReadingListPosition dto)
    {
        // ok: csharp-mass-assignment-bound-entity
        await _readingListService.UpdateReadingListItemPosition(dto);
        return Ok();
    }

    [HttpPost("login")]
    public async Task<IActionResult> Login([FromForm] Account account)
    {
        // ok: csharp-mass-assignment-bound-entity
        return Ok(await _accountService.LoginAsync(account));
    }

    private void Store(Movie movie)
    {
        // ok: csharp-mass-assignment-bound-entity
        _context.Update(movie);
    }
}

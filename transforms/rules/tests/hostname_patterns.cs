using System;
using System.Collections.Generic;

class SiteChecks
{
    bool TrustedSite(string target, List<string> allowedHosts, string file)
    {
        // ruleid: csharp-site-checked-by-substring
        if (target.Contains("partner.com")) return true;
        // ruleid: csharp-site-checked-by-substring
        if (target.StartsWith("https://cdn.example.org", StringComparison.OrdinalIgnoreCase)) return true;
        // ruleid: csharp-site-checked-by-substring
        if (target.EndsWith("partner.com")) return true;
        // ok: csharp-site-checked-by-substring
        if (target.StartsWith("https://cdn.example.org/") || target.EndsWith(".partner.com")) return true;
        // ok: csharp-site-checked-by-substring
        if (allowedHosts.Contains("partner.com")) return true;
        // ok: csharp-site-checked-by-substring
        return file.EndsWith("app.csproj") || target.Contains("https://");
    }
}

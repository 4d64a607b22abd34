import java.util.List;

class SiteChecks {
    boolean trustedSite(String target, List<String> allowedHosts, String file) {
        // ruleid: java-site-checked-by-substring
        if (target.contains("partner.com")) return true;
        // ruleid: java-site-checked-by-substring
        if (target.startsWith("https://cdn.example.org")) return true;
        // ruleid: java-site-checked-by-substring
        if (target.endsWith("partner.com")) return true;
        // ruleid: java-site-checked-by-substring
        if (target.indexOf("https://partner.example.org") != -1) return true;
        // ok: java-site-checked-by-substring
        if (target.startsWith("https://cdn.example.org/") || target.endsWith(".partner.com")) return true;
        // ok: java-site-checked-by-substring
        if (allowedHosts.contains("partner.com")) return true;
        // ok: java-site-checked-by-substring
        return file.endsWith("pom.xml") || target.contains("https://");
    }
}

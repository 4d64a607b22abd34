package main

func checkRedirect(req *http.Request) error {
	re := "^((www|beta).)?example.com/"
	// ruleid: go-hostname-regex-unescaped-dot
	if matched, _ := regexp.MatchString(re, req.URL.Host); matched {
		return nil
	}
	// ok: go-hostname-regex-unescaped-dot
	if matched, _ := regexp.MatchString("^((www|beta)\\.)?example\\.com/", req.URL.Host); matched {
		return nil
	}
	// ok: go-hostname-regex-unescaped-dot
	files := regexp.MustCompile(`^[a-z]+.json$`)
	_ = files
	return errors.New("Invalid redirect")
}

func trustedSite(target string, file string) bool {
	// ruleid: go-site-checked-by-substring
	if strings.Contains(target, "partner.com") {
		return true
	}
	// ruleid: go-site-checked-by-substring
	if strings.HasPrefix(target, "https://cdn.example.org") {
		return true
	}
	// ruleid: go-site-checked-by-substring
	if strings.HasSuffix(target, "partner.com") {
		return true
	}
	// ok: go-site-checked-by-substring
	if strings.HasPrefix(target, "https://cdn.example.org/") || strings.HasSuffix(target, ".partner.com") {
		return true
	}
	// ok: go-site-checked-by-substring
	return strings.HasSuffix(file, "main.go") || strings.Contains(target, "https://")
}

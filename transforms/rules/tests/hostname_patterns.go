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

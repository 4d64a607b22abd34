package main

func register(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	user := r.Form.Get("user")
	pw := r.Form.Get("password")
	// ruleid: go-password-logged
	log.Printf("Registering new user %s with password %s.\n", user, pw)
	// ok: go-password-logged
	log.Printf("Registering new user %s.\n", user)
	cfg := loadConfig()
	// ruleid: go-password-logged
	logrus.Infof("connecting with %s", cfg.DBPassword)
	// ok: go-password-logged
	log.Println(cfg.HashedPassword, cfg.encodedPassword)
}

func remember(w http.ResponseWriter, r *http.Request) {
	pw := r.FormValue("password")
	// ruleid: go-password-in-cookie
	http.SetCookie(w, &http.Cookie{Name: "pw", Value: pw})
	// ok: go-password-in-cookie
	http.SetCookie(w, &http.Cookie{Name: "session", Value: newSessionID()})
}

func mustConnect(cfg *Config) {
	if err := connect(cfg); err != nil {
		// ruleid: go-password-logged
		log.Panicf("cannot connect as %s/%s", cfg.User, cfg.GetPassword())
	}
	// ruleid: go-password-logged
	log.Panic(cfg.Password)
	// ok: go-password-logged
	log.Panic(err, cfg.PasswordPolicy(), mask(cfg.GetPassword()))
}

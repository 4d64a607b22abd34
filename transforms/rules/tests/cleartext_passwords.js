function login(req, res) {
  const user = req.body.user;
  const password = req.body.password;
  // ruleid: js-password-logged
  console.log(`login ${user} ${password}`);
  // ruleid: js-password-logged
  logger.info("login " + user + " with " + req.body.newPassword);
  // ok: js-password-logged
  console.log(`login ${user}`);
  // ok: js-password-logged
  console.log("strength", checkPassword(password));
  // ok: js-password-logged
  console.log(user.hashed_password, user.encryptedPassword);
}

app.get('/remember-password', function (req, res) {
  let pw = req.param("current_password");
  // ruleid: js-password-in-cookie
  res.cookie("password", pw);
  // ok: js-password-in-cookie
  res.cookie("password", encrypt(pw));
  // ruleid: js-password-in-cookie
  localStorage.setItem("pw", req.body.password);
  // ok: js-password-in-cookie
  res.cookie("session", sessionId, { httpOnly: true });
});

function debugLogin(account, settings) {
  // ruleid: js-password-logged
  console.log("login with", account.getPassword());
  // ruleid: js-password-logged
  console.info("key " + settings.adminPassword.toString());
  // ok: js-password-logged
  console.log(account.getPasswordPolicy(), account.getHashedPassword(), hash(account.getPassword()));
  // ok: js-password-logged
  console.log(settings.adminPassword.length, account.checkPassword(input).toString());
}

require "digest"
require "openssl"
require "securerandom"
require "yaml"

def queries(db, name)
  # ruleid: ruby-sql-built-by-interpolation
  db.execute("SELECT * FROM users WHERE name = '#{name}'")
  # ok: ruby-sql-built-by-interpolation
  puts "SELECT * FROM users WHERE name = '#{name}'"
  # ok: ruby-sql-built-by-interpolation
  Rails.logger.debug("DELETE FROM users WHERE id = #{name}")
  # ruleid: ruby-sql-built-by-interpolation
  User.where("name = '#{name}'")
  # ok: ruby-sql-built-by-interpolation
  db.execute("SELECT * FROM users WHERE name = ?", [name])
  # ok: ruby-sql-built-by-interpolation
  puts "selected #{name}"
  # ok: ruby-sql-built-by-interpolation
  db.execute("SELECT name FROM users " + "WHERE id = ?", [name])
  # ok: ruby-sql-built-by-interpolation
  Post.where("#{Post.table_name}.title LIKE ?", "%#{name}%")
  # ruleid: ruby-sql-built-by-interpolation
  Post.where("#{Post.table_name}.visibility LIKE '%,#{name},%'")
  # ruleid: ruby-sql-built-by-interpolation
  db.exec_params("SELECT * FROM users WHERE id = %{id}" % { id: name })
  # ruleid: ruby-sql-built-by-interpolation
  User.where("name = '%s'" % name)
  # ok: ruby-sql-built-by-interpolation
  puts "%d users named %s" % [3, name]
  # ok: ruby-sql-built-by-interpolation
  db.exec_params("SELECT * FROM users WHERE state = %{state}" % { state: "active" })
  # ok: ruby-sql-built-by-interpolation
  User.where("name LIKE ?", "%s%%" % name)
end

def sorted(column, direction)
  raise ArgumentError, "unknown column" unless SORTABLE.include?(column)
  return [] if !%w[asc desc].include?(direction)
  # ok: ruby-sql-built-by-interpolation
  Post.order("#{column} #{direction}")
  if COLUMNS.include?(direction)
    # ok: ruby-sql-built-by-interpolation
    Post.where("#{direction} IS NOT NULL")
  end
  # ruleid: ruby-sql-built-by-interpolation
  Post.where("title = '#{params[:title]}'")
end

def commands(host)
  # ruleid: ruby-command-injection
  system("ping -c 1 #{host}")
  # ruleid: ruby-backtick-interpolation
  output = `ls #{host}`
  # ok: ruby-command-injection
  system("ping", "-c", "1", host)
  # ruleid: ruby-command-injection
  Open3.pipeline_r("sort #{host}", "uniq")
  # ok: ruby-command-injection
  Open3.pipeline("sort", "uniq")
  # ruleid: ruby-command-injection
  POSIX::Spawn::spawn(host)
  # ok: ruby-backtick-interpolation
  uptime = `uptime`
  # ok: ruby-command-injection
  system("ping -c 1 #{Shellwords.escape(host)}")
  quoted = Shellwords.escape(host)
  # ok: ruby-command-injection
  system "ping -c 1 #{quoted}"
  # ruleid: ruby-command-injection
  system "ping -c 1 #{host}"
  # ok: ruby-command-injection
  IO.popen(["ping", "-c", "1", host])
  # ok: ruby-command-injection
  exec(["ping", "-c", "1", host])
  # ruleid: ruby-command-injection
  exec(["sh", "-c", "ping -c 1 #{host}"])
  # ruleid: ruby-command-injection
  spawn(["bash", host])
  # ok: ruby-command-injection
  spawn(["bash", "-c", "uptime"])
  # ruleid: ruby-command-injection
  system("sh", "-c", "ping -c 1 #{host}")
  # ruleid: ruby-command-injection
  out, status = Open3.capture2("bash", "-c", "ping -c 1 " + host)
  # ok: ruby-command-injection
  system("sh", "-c", "ping -c 1 #{Shellwords.escape(host)}")
  # ok: ruby-command-injection
  Open3.capture2("bash", "-c", "uptime")
  # ruleid: ruby-command-injection
  IO.popen("ping -c 1 #{host}")
  # ok: ruby-backtick-interpolation
  listing = `ls #{host.shellescape}`
  # ruleid: ruby-backtick-interpolation
  listing = %x(ls #{host} #{Shellwords.escape(host)})
  [output, uptime]
end

def lookups(ip, port, verbose)
  # ruleid: ruby-backtick-interpolation
  `dig -x #{ip}`
  ip = Shellwords.escape(ip)
  # ok: ruby-backtick-interpolation
  `dig +short -x #{ip} -p #{port.to_i} #{"+trace" if verbose}`
  # ok: ruby-backtick-interpolation
  `dig #{verbose ? "+trace" : "+short"} #{DEFAULT_HOST}`
  # ruleid: ruby-backtick-interpolation
  `dig -x #{ip} @#{port}`
  # ruleid: ruby-backtick-interpolation
  `dig #{verbose ? "+trace" : port}`
end

def open_files(path)
  # ruleid: ruby-kernel-open
  open(path, "wb") { |io| io.write("x") }
  # ruleid: ruby-kernel-open
  head = Kernel.open(path).read(10)
  # ruleid: ruby-kernel-open
  notes = open("#{path}.txt").read
  # ok: ruby-kernel-open
  File.open(path, "wb") { |io| io.write("x") }
  # ok: ruby-kernel-open
  gz = Zlib::GzipReader.open(path)
  # ok: ruby-kernel-open
  log = open("/tmp/#{path}").read
  # ok: ruby-kernel-open
  config = open("config.yml").read
  # ok: ruby-kernel-open
  readme = open('README.md').read
  # ok: ruby-kernel-open
  seeds = open("#{Rails.root}/db/#{path}").read
  # ok: ruby-kernel-open
  piped = open('|date').read
  # ruleid: ruby-kernel-open
  listed = open("|ls #{path}").read
  [head, notes, gz, log, config, readme, seeds, piped, listed]
end

def deserialize(data)
  # ruleid: ruby-unsafe-deserialization
  obj = Marshal.load(data)
  # ok: ruby-unsafe-deserialization
  config = YAML.safe_load(data)
  # ruleid: ruby-unsafe-deserialization
  docs = YAML.load_stream(data)
  # ruleid: ruby-unsafe-deserialization
  rows = CSV.load(data)
  # ok: ruby-unsafe-deserialization
  table = CSV.parse(data)
  # ruleid: ruby-unsafe-deserialization
  session = Oj.object_load(data)
  [obj, config, docs, rows, table, session]
end

def hashes(data)
  # ruleid: ruby-weak-hash-or-cipher
  weak = Digest::MD5.hexdigest(data)
  # ruleid: ruby-weak-hash-or-cipher
  des = OpenSSL::Cipher::DES.new(:CBC)
  # ok: ruby-weak-hash-or-cipher
  aes = OpenSSL::Cipher::AES256.new(:GCM)
  # ok: ruby-weak-hash-or-cipher
  strong = Digest::SHA256.hexdigest(data)
  # ruleid: ruby-weak-hash-or-cipher
  streamed = Digest::SHA1.new
  # ruleid: ruby-weak-hash-or-cipher
  named = OpenSSL::Digest.new("SHA1")
  # ok: ruby-weak-hash-or-cipher
  named_strong = OpenSSL::Digest.new("SHA256")
  [weak, strong]
end

def randomness
  # ruleid: ruby-insecure-random-secret
  reset_token = rand(10**20).to_s(36)
  # ok: ruby-insecure-random-secret
  session_token = SecureRandom.hex(16)
  # ok: ruby-insecure-random-secret
  dice = rand(6)
  [reset_token, session_token, dice]
end

def self.generate_token_value
  chars = ("a".."z").to_a + ("0".."9").to_a
  token_value = ""
  # ruleid: ruby-insecure-random-secret
  40.times { token_value << chars[rand(chars.size)] }
  token_value
end

def roll_dice
  # ok: ruby-insecure-random-secret
  rand(6) + 1
end

def credentials
  # ruleid: ruby-hardcoded-credential
  db_password = "hunter2hunter2"
  # ok: ruby-hardcoded-credential
  db_password_from_env = ENV["DB_PASSWORD"]
  # ok: ruby-hardcoded-credential
  param_api_key = "api_key" # a parameter's name, not a secret
  # ruleid: ruby-hardcoded-credential
  token = JWT.encode({ sub: 1 }, "shhhhh", "HS256")
  smtp = {
    user_name: "mailer",
    # ruleid: ruby-hardcoded-credential
    password: "s3cr3t-smtp",
    # ok: ruby-hardcoded-credential
    password_file: "/run/secrets/smtp",
  }
  # ok: ruby-hardcoded-credential
  token = JWT.encode({ sub: 1 }, ENV["JWT_SECRET"], "HS256")
  # ruleid: ruby-hardcoded-credential
  key = OpenSSL::PKey::RSA.new(File.read("key.pem"), "s3cr3t-passphrase")
  # ruleid: ruby-hardcoded-credential
  File.write("key.pem", key.export(OpenSSL::Cipher.new("aes-256-cbc"), "s3cr3t-passphrase"))
  # ok: ruby-hardcoded-credential
  key = OpenSSL::PKey::RSA.new(File.read("key.pem"), ENV.fetch("KEY_PASSPHRASE"))
  [db_password, db_password_from_env, smtp]
end

def tls(http)
  # ruleid: ruby-tls-verification-disabled
  http.verify_mode = OpenSSL::SSL::VERIFY_NONE
  # ok: ruby-tls-verification-disabled
  http.verify_mode = OpenSSL::SSL::VERIFY_PEER
end

def xml(text)
  # ruleid: ruby-xml-external-entities
  Nokogiri::XML(text) { |config| config.noent }
  # ok: ruby-xml-external-entities
  Nokogiri::XML(text) { |config| config.nonet }
end

def regexes(user_pattern)
  # ruleid: ruby-regex-from-input
  dynamic = Regexp.new(user_pattern)
  # ok: ruby-regex-from-input
  escaped = Regexp.new(Regexp.escape(user_pattern))
  # ok: ruby-regex-from-input
  quoted = /\.#{Regexp.quote(user_pattern)}\z/
  [dynamic, escaped, quoted]
end

def permissions(path, dir)
  # ruleid: ruby-world-writable-permissions
  File.chmod(0666, path)
  # ruleid: ruby-world-writable-permissions
  FileUtils.mkdir_p(dir, mode: 0777)
  # ruleid: ruby-world-writable-permissions
  FileUtils.chmod("a+w", path)
  # ruleid: ruby-world-writable-permissions
  File.umask(0)
  # ok: ruby-world-writable-permissions
  File.chmod(0644, path)
  # ok: ruby-world-writable-permissions
  FileUtils.mkdir_p(dir, mode: 0o755)
  # ok: ruby-world-writable-permissions
  FileUtils.chmod("u+w", path)
  # ok: ruby-world-writable-permissions
  File.umask(0o022)
end

def login(user, params, password)
  # ruleid: ruby-plaintext-password-comparison
  matches = user.password == params[:password]
  # ok: ruby-plaintext-password-comparison
  confirmed = params[:password] == params[:password_confirmation]
  # ok: ruby-plaintext-password-comparison
  verified = BCrypt::Password.new(user.password_digest) == password
  matches && confirmed && verified
end

def store_password(user, password, body)
  # ruleid: ruby-fast-hash-of-password
  user.hash = Digest::SHA256.hexdigest(password)
  # ruleid: ruby-fast-hash-of-password, ruby-weak-hash-or-cipher
  user.salted = Digest::MD5.hexdigest(user.salt + password)
  # ok: ruby-fast-hash-of-password
  user.digest = BCrypt::Password.create(password)
  # ok: ruby-fast-hash-of-password
  user.etag = Digest::SHA256.hexdigest(body)
end

def temp(data)
  # ruleid: ruby-insecure-temp-file
  File.write("/tmp/cache.json", data)
  # ok: ruby-insecure-temp-file
  Tempfile.create("cache") { |f| f.write(data) }
end

def breadcrumbs(items, user)
  # ruleid: ruby-html-safe-of-built-string
  trail = raw(items.join)
  # ok: ruby-html-safe-of-built-string
  joined = safe_join(items)
  # ruleid: ruby-html-safe-of-built-string
  name = "<b>#{user.name}</b>".html_safe
  # ok: ruby-html-safe-of-built-string
  escaped = "<b>#{h(user.name)}</b>".html_safe
  # ruleid: ruby-html-safe-of-built-string
  mixed = raw("#{h(user.name)} #{user.bio}")
  # ok: ruby-html-safe-of-built-string
  each_escaped = raw(items.map { |i| h(i) }.join)
  # ruleid: ruby-html-safe-of-built-string
  title = (user.title + "<br>").html_safe
  # ok: ruby-html-safe-of-built-string
  br = "<br>".html_safe
  [trail, joined, name, escaped, mixed, each_escaped, title, br]
end

def keys_and_protocols(http)
  # ruleid: ruby-weak-rsa-key
  small = OpenSSL::PKey::RSA.new(1024)
  # ok: ruby-weak-rsa-key
  large = OpenSSL::PKey::RSA.new(3072)
  # ruleid: ruby-tls-legacy-protocol
  http.ssl_version = :TLSv1
  # ok: ruby-tls-legacy-protocol
  http.min_version = OpenSSL::SSL::TLS1_2_VERSION
  # ruleid: ruby-tls-legacy-protocol
  http.min_version = OpenSSL::SSL::TLS1_1_VERSION
  [small, large]
end

class Account
  # ruleid: ruby-validation-regex-line-anchors
  validates_format_of :name, :with => /^[a-zA-Z]+$/
  # ruleid: ruby-validation-regex-line-anchors
  validates :phone, format: { with: /\d{3}-\d{4}$/ }
  # ruleid: ruby-validation-regex-line-anchors
  validates :slug, format: { with: /\A[a-z-]+$/ }
  # ok: ruby-validation-regex-line-anchors
  validates :login, format: { with: /\A[a-z0-9_]+\z/i }
  # ok: ruby-validation-regex-line-anchors
  validates :login, length: { maximum: 20 }
end

def init_vectors(key)
  cipher = OpenSSL::Cipher.new("aes-256-cbc")
  cipher.encrypt
  cipher.key = key
  # ruleid: ruby-static-iv
  cipher.iv = "0123456789abcdef"
  # ok: ruby-static-iv
  cipher.iv = cipher.random_iv
  cipher
end

class JwtSessionsController < ApplicationController
  def current_user
    token = request.headers["Authorization"].split(" ").last
    # ruleid: ruby-jwt-signature-not-verified
    payload, _header = JWT.decode(token, nil, false)
    User.find(payload["sub"])
  end

  def verified_user
    token = request.headers["Authorization"].split(" ").last
    # ok: ruby-jwt-signature-not-verified
    payload, _header = JWT.decode(token, Rails.application.secret_key_base, true, algorithm: "HS256")
    User.find(payload["sub"])
  end

  def none_user(token)
    # ruleid: ruby-jwt-signature-not-verified
    JWT.decode(token, nil, true, algorithms: ["HS256", "none"])
  end

  def issue(user)
    # ruleid: ruby-jwt-signature-not-verified
    JWT.encode({ sub: user.id }, nil, "none")
  end

  def signed(user)
    # ok: ruby-jwt-signature-not-verified
    JWT.encode({ sub: user.id }, secret, "HS256")
  end
end

def jwt_braces(token)
  # ruleid: ruby-jwt-signature-not-verified
  JWT.decode(token, nil, true, { algorithm: "none" })
end

# ruleid: ruby-directory-listing-enabled
use Rack::Directory, "public"
# ok: ruby-directory-listing-enabled
use Rack::Static, urls: ["/assets"], root: "public"
# ruleid: ruby-directory-listing-enabled
run Rack::Directory.new("files")

def jwt_no_exp(token)
  # ruleid: ruby-jwt-expiry-not-checked
  JWT.decode(token, secret, true, algorithm: "HS256", verify_expiration: false)
end

def jwt_with_exp(token)
  # ok: ruby-jwt-expiry-not-checked
  JWT.decode(token, secret, true, algorithm: "HS256")
end

def run_remote(host, user)
  # ruleid: ruby-ssh-host-key-not-verified
  Net::SSH.start(host, user, verify_host_key: :never) { |ssh| ssh.exec!("uptime") }
  # ruleid: ruby-ssh-host-key-not-verified
  Net::SSH.start(host, user, paranoid: false)
  # ok: ruby-ssh-host-key-not-verified
  Net::SSH.start(host, user, verify_host_key: :always)
end

def check_login(req)
  password = req.params['password']
  # ruleid: ruby-hardcoded-credential
  return true if password == 'myPa55word'
  # ok: ruby-hardcoded-credential
  password == ENV.fetch('ADMIN_PASSWORD')
end

def get_password_hash(password, salt)
  # ruleid: ruby-fast-hash-of-password
  OpenSSL::Digest.new('SHA256').digest(password + salt)
end

class UsersController < ApplicationController
  def user_params
    # ruleid: ruby-params-permit-all
    params.require(:user).permit!
  end

  def safe_user_params
    # ok: ruby-params-permit-all
    params.require(:user).permit(:name, :email)
  end

  def menu_options(external_params)
    # ruleid: ruby-params-permit-all
    external_params.require(:options).permit!
  end
end

def escape_quotes(s)
  # ruleid: ruby-incomplete-sanitization
  once = s.sub "'", "''"
  # ok: ruby-incomplete-sanitization
  once.gsub "'", "''"
  # ruleid: ruby-incomplete-sanitization
  url = s.sub("javascript:", "")
  # ruleid: ruby-incomplete-sanitization
  path = s.sub("../", "")
  # ok: ruby-incomplete-sanitization
  s.sub("Mr. ", "")
end

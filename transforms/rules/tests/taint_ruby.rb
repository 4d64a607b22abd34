def render_comment(comment)
  # ruleid: ruby-taint-xss
  html = "<p>#{comment}</p>".html_safe
  # ok: ruby-taint-xss
  safe = "<p>#{ERB::Util.html_escape(comment)}</p>".html_safe
  # ok: ruby-taint-xss
  fixed = "<br>".html_safe
  [html, safe, fixed]
end

get "/hello" do
  # ruleid: ruby-taint-xss
  raw("Hello #{params[:name]}")
end

def read_file(name)
  # ruleid: ruby-taint-path-traversal
  data = File.read(File.join("/var/data", name))
  # ok: ruby-taint-path-traversal
  safe = File.read(File.join("/var/data", File.basename(name)))
  # ok: ruby-taint-path-traversal
  index = File.read("/var/data/index.html")
  [data, safe, index]
end

def write_through_kernel_open(path, data)
  # ruleid: ruby-taint-path-traversal
  open(path, "wb") { |io| io.write(data) }
  # ruleid: ruby-taint-path-traversal
  File.open(path, "wb") { |io| io.write(data) }
  # ok: ruby-taint-path-traversal
  open(File.join("/var/data", File.basename(path))) { |io| io.read }
end

class PagesController < ApplicationController
  def show
    # ruleid: ruby-taint-dynamic-render-path
    render params[:page], layout: false
    # ruleid: ruby-taint-dynamic-render-path
    render file: "#{Rails.root}/public/#{params[:file]}"
    # ruleid: ruby-taint-dynamic-render-path
    render template: "pages/#{params[:name]}"
    # ok: ruby-taint-dynamic-render-path
    render json: { page: params[:page] }, status: 200
    # ok: ruby-taint-dynamic-render-path
    render :show, locals: { name: params[:name] }
    # ok: ruby-taint-dynamic-render-path
    render partial: "pages/#{File.basename(params[:partial])}"
    # ok: ruby-taint-dynamic-render-path
    render PAGES[params[:page]]
    # ok: ruby-taint-dynamic-render-path
    render template: Pages::TEMPLATES.fetch(params[:page], "pages/index")
    # ok: ruby-taint-path-traversal
    send_file File.join("/srv/files", FILES[params[:file]])
    # ruleid: ruby-taint-path-traversal
    send_file File.join("/srv/files", params[:file])
    page = params[:act]
    if PAGES.include?(page)
      # ok: ruby-taint-dynamic-render-path
      render action: page
    end
    # ruleid: ruby-taint-dynamic-render-path
    render action: page
  end

  def widget(kind)
    # ok: ruby-taint-dynamic-render-path
    render partial: "widgets/#{kind}"
  end
end

def read_checked(name)
  full = File.expand_path(name, "/var/data")
  raise "outside" unless full.start_with?("/var/data/")
  # ok: ruby-taint-path-traversal
  File.read(full)
end

def calc(expr)
  # ruleid: ruby-taint-code-injection
  eval(expr)
end

def compiled(expr)
  # ruleid: ruby-taint-code-injection
  RubyVM::InstructionSequence.compile(expr).eval
  # ok: ruby-taint-code-injection
  RubyVM::InstructionSequence.compile("1 + 2").eval
end

OPS = %w[add sub]
def op(name, a, b)
  if OPS.include?(name)
    # ok: ruby-taint-code-injection
    return eval("#{name}(a, b)")
  end
  # ok: ruby-taint-code-injection
  eval("1 + 2")
end

def proxy
  # ruleid: ruby-taint-ssrf
  body = Net::HTTP.get(URI.parse(params[:url]))
  # ok: ruby-taint-ssrf
  fixed = Net::HTTP.get(URI.parse("https://api.example.com/"))
  [body, fixed]
end

def fetch(url)
  # ok: ruby-taint-ssrf
  Net::HTTP.get(URI.parse(url))
end

def login
  # ruleid: ruby-taint-open-redirect
  redirect_to params[:next]
  # ok: ruby-taint-open-redirect
  redirect_to "/home"
end

def login_return
  if (return_to = cookies.delete(:return_to)).present?
    # ruleid: ruby-taint-open-redirect
    redirect_to return_to
  end
  # ok: ruby-taint-open-redirect
  redirect_to safe_redirect_url(params[:next]) || root_path
  # ok: ruby-taint-open-redirect
  redirect_to url_from(params[:next]) || root_path
end

def search
  term = params[:q]
  # ruleid: ruby-taint-sql-injection
  User.where("name LIKE '%#{term}%'")
  # ok: ruby-taint-sql-injection
  User.where("name LIKE ?", "%#{term}%")
  # ok: ruby-taint-sql-injection
  User.where(name: term)
  # ruleid: ruby-taint-sql-injection
  conn.exec_params("SELECT * FROM users WHERE name = '%s'" % term)
  # ok: ruby-taint-sql-injection
  conn.exec_params("SELECT * FROM users WHERE name = $1", [term])
  # ok: ruby-taint-sql-injection
  User.where(["name = ?", term])
  # ruleid: ruby-taint-sql-injection
  User.where(["name = '#{term}' AND admin = ?", false])
  # ruleid: ruby-taint-sql-injection
  User.order(params[:sort] + " DESC")
end

def find_orders(customer_id)
  # ruleid: ruby-taint-sql-injection
  ActiveRecord::Base.connection.execute("SELECT * FROM orders WHERE customer_id = " + customer_id)
  # ok: ruby-taint-sql-injection
  ActiveRecord::Base.connection.execute("SELECT * FROM orders WHERE customer_id = #{customer_id.to_i}")
  # ok: ruby-taint-sql-injection
  Order.where(customer_id: customer_id).order(:created_at)
end

ALLOWED_HOSTS = %w[api.example.com cdn.example.com].freeze

def preview_unchecked
  uri = URI.parse(params[:url])
  # ruleid: ruby-taint-ssrf
  Net::HTTP.get_response(uri)
end

def preview_checked
  uri = URI.parse(params[:url])
  raise ArgumentError, "host not allowed" unless ALLOWED_HOSTS.include?(uri.host)
  # ok: ruby-taint-ssrf
  Net::HTTP.get_response(uri)
end

def preview_if_allowed
  uri = URI(params[:url])
  if ALLOWED_HOSTS.include?(uri.host)
    # ok: ruby-taint-ssrf
    body = uri.open.read
  end
  # ruleid: ruby-taint-ssrf
  uri.read
end

def preview_parsed_string
  url = params[:url]
  uri = URI.parse(url)
  unless ALLOWED_HOSTS.include?(uri.host)
    head :bad_request
    return
  end
  # ok: ruby-taint-ssrf
  HTTParty.get(url)
end

def preview_fixed_host
  uri = URI.parse(params[:url])
  return head(:forbidden) if uri.host != "api.example.com"
  # ok: ruby-taint-ssrf
  Net::HTTP.start(uri.host, uri.port) { |http| http.get(uri.path) }
end

def preview_clients
  url = params[:url]
  # ruleid: ruby-taint-ssrf
  URI.open(url)
  # ruleid: ruby-taint-ssrf
  conn = Faraday.new(url: url)
  # ruleid: ruby-taint-ssrf
  Net::HTTP.start(URI(url).host, 443)
  # ok: ruby-taint-ssrf
  parsed = URI.parse(url)
  # ruleid: ruby-taint-ssrf
  URI(url).open
end

def continue_to
  target = URI.parse(params[:next])
  redirect_to("/") and return unless target.host.nil? || target.host == request.host
  # ok: ruby-taint-open-redirect
  redirect_to target.to_s
end

def continue_unchecked
  target = URI.parse(params[:next])
  # ruleid: ruby-taint-open-redirect
  redirect_to target.to_s
end

def create_board
  # ruleid: ruby-taint-mass-assignment
  @board = @project.boards.build(params[:board])
  # ruleid: ruby-taint-mass-assignment
  @relation = IssueRelation.new(params[:relation])
  attributes = params[:version]
  # ruleid: ruby-taint-mass-assignment
  @version.update_attributes(attributes)
  # ruleid: ruby-taint-mass-assignment
  @wiki.attributes = params[:wiki]
  # ruleid: ruby-taint-mass-assignment
  Spree::Promotion.create(params[:promotion])
end

def create_board_permitted
  # ok: ruby-taint-mass-assignment
  @board = @project.boards.build(params.require(:board).permit(:name, :description))
  # ok: ruby-taint-mass-assignment
  @user = User.new(params[:user].slice(:name, :email))
  @board.safe_attributes = params[:board]
  # ok: ruby-taint-mass-assignment
  @board.update(name: params[:name])
  # ok: ruby-taint-mass-assignment
  @board.update(board_params)
  # ok: ruby-taint-mass-assignment
  Date.new(params[:year].to_i, 1, 1)
  @pseud = @user.pseuds.find_by(name: params[:id])
  # ok: ruby-taint-mass-assignment
  @pseud.update(permitted_attributes(@pseud))
  # ok: ruby-taint-mass-assignment
  UserBlock.new({ reason: params[:user_block][:reason], needs_view: params[:user_block][:needs_view] }, without_protection: true)
  # ruleid: ruby-taint-mass-assignment
  UserBlock.new(params[:user_block].merge(creator_id: 1))
  # ruleid: ruby-taint-mass-assignment
  UserBlock.new(params[:user_block], without_protection: true)
end

def copy_from(project)
  # ok: ruby-taint-mass-assignment
  copy = Project.new(project.attributes.dup.except('id'))
end

def read_under(base, name)
  # ok: ruby-taint-path-traversal
  File.read(File.join(base, File.basename(name)))
end

def read_joined(base, name)
  # ruleid: ruby-taint-path-traversal
  File.read(File.join(base, name))
end

class ErrorsController < ApplicationController
  def run
    render json: work
  rescue => e
    # ruleid: ruby-taint-exception-exposed
    render json: { error: e.message }, status: 500
  end

  def trace
    begin
      render json: work
    rescue ActiveRecord::StatementInvalid => e
      # ruleid: ruby-taint-exception-exposed
      render plain: e.backtrace.join("\n"), status: 500
    end
  end

  def logged
    begin
      render json: work
    rescue StandardError => e
      logger.error(e.full_message)
      # ok: ruby-taint-exception-exposed
      render json: { error: "internal error" }, status: 500
    end
  end

  def validation
    begin
      render json: { n: Integer(params[:n]) }
    rescue ArgumentError => e
      # ok: ruby-taint-exception-exposed
      render json: { error: e.message }, status: 400
    end
  end
end

class KnownNamesController < ApplicationController
  KNOWN = %w[a b]
  def show
    name = params[:name]
    unless KNOWN.include?(name)
      # ruleid: ruby-taint-xss
      render html: "<p>unknown #{name}</p>".html_safe
      return
    end
    # ok: ruby-taint-xss
    render html: "<p>#{name}</p>".html_safe
  end
  def show2
    name = params[:name]
    return head(:forbidden) if name != HOME
    # ok: ruby-taint-xss
    render html: "<p>#{name}</p>".html_safe
  end
  def show3
    name = params[:name]
    if name == HOME
      # ok: ruby-taint-xss
      render html: "<p>#{name}</p>".html_safe
    end
    if KNOWN.include?(name)
      # ok: ruby-taint-xss
      render html: "<p>#{name}</p>".html_safe
    end
  end

  def show_poll
    id = params[:id]
    if id == DEFAULT_POLL
      # ok: ruby-taint-xss
      render html: "<p>poll #{id}</p>".html_safe
    else
      # ruleid: ruby-taint-xss
      render html: "<p>poll #{id}</p>".html_safe
    end
  end
end

class RedirectsController < ApplicationController
  def index
    url = params[:url]
    if url.include?("example.com")
      # ruleid: ruby-taint-open-redirect
      redirect_to url
    end
    host = URI(url).host
    allowed_hosts = ["example.com", "www.example.com"]
    if allowed_hosts.include?(host)
      # ok: ruby-taint-open-redirect
      redirect_to url
    end
  end
end

class KnownOrNotController < ApplicationController
  KNOWN = %w[a b]
  def show
    name = params[:name]
    if KNOWN.include?(name)
      # ok: ruby-taint-xss
      render html: "<p>#{name}</p>".html_safe
    else
      # ruleid: ruby-taint-xss
      render html: "<p>unknown #{name}</p>".html_safe
    end
    if name =~ /\A[a-z]+\z/
      # ok: ruby-taint-xss
      render html: "<p>#{name}</p>".html_safe
    else
      # ruleid: ruby-taint-xss
      render html: "<p>invalid #{name}</p>".html_safe
    end
  end
end

class SessionsController < ApplicationController
  def failed_login
    user = params[:user]
    # ruleid: ruby-taint-log-injection
    Rails.logger.info("failed login for #{user}")
    # ok: ruby-taint-log-injection
    Rails.logger.warn("rejected login for #{user}")
    # ruleid: ruby-taint-log-injection
    logger.info "failed login for " + params[:name]
    # ok: ruby-taint-log-injection
    Rails.logger.info("failed login for #{user.gsub(/[\r\n]/, '')}")
    # ok: ruby-taint-log-injection
    logger.info("failed login for #{user.inspect}")
    # ok: ruby-taint-log-injection
    logger.info("failed login from #{request.remote_ip}")
  end

  def process(name)
    # ok: ruby-taint-log-injection
    logger.info("processing #{name}")
  end
end

class AuditController < ApplicationController
  def index
    # ruleid: ruby-taint-format-string
    printf("Unauthorised access attempt by #{params[:user]}: %s", request.ip)
    # ok: ruby-taint-format-string
    printf("Unauthorised access attempt by %s: %s", params[:user], request.ip)
    # ok: ruby-taint-format-string
    $stderr.printf("%d attempts\n", params[:count].to_i)
  end
end

# A check cleans only where it holds: a passed check its own branch (not the else), a failed
# check what follows it (not its own branch).
class CheckedPathsController < ApplicationController
  def matched
    name = params[:name]
    if !name.match?(/\A\w+\z/)
      # ruleid: ruby-taint-path-traversal
      File.read(name)
      return
    end
    # ok: ruby-taint-path-traversal
    File.read(name)
  end

  def known
    name = params[:name]
    if name != HOME
      # ruleid: ruby-taint-path-traversal
      File.read(name)
    end
    unless name == HOME
      # ruleid: ruby-taint-path-traversal
      File.read(name)
    end
    log(name)
    return unless name == HOME
    # ok: ruby-taint-path-traversal
    File.read(name)
  end

  def present
    name = params[:name]
    if name != nil
      log(name)
    end
    # ruleid: ruby-taint-path-traversal
    File.read(name)
  end

  def rooted
    path = params[:path]
    unless path.start_with?("/var/data/")
      # ruleid: ruby-taint-path-traversal
      File.read(path)
      return
    end
    # ok: ruby-taint-path-traversal
    File.read(path)
  end

  def dotted
    path = params[:path]
    if path.include?("..")
      # ruleid: ruby-taint-path-traversal
      File.read(path)
    end
    log(path)
    raise "bad path" if path.include?("..")
    # ok: ruby-taint-path-traversal
    File.read(path)
  end

  def listed
    name = params[:name]
    if !PAGES.include?(name)
      head :not_found
      return
    end
    # ok: ruby-taint-path-traversal
    File.read(name)
  end
end

class CheckedHostsController < ApplicationController
  def parsed
    uri = URI.parse(params[:url])
    if ALLOWED_HOSTS.include?(uri.host)
      # ok: ruby-taint-ssrf
      Net::HTTP.get_response(uri)
    else
      # ruleid: ruby-taint-ssrf
      Net::HTTP.get_response(uri)
    end
    if uri.host == "api.example.com"
      log(uri)
    elsif retry?
      # ruleid: ruby-taint-ssrf
      Net::HTTP.get_response(uri)
    end
    if uri.host != "api.example.com"
      # ruleid: ruby-taint-ssrf
      Net::HTTP.get_response(uri)
    end
    log(uri)
  end

  def parsed_failed
    uri = URI(params[:url])
    unless ALLOWED_HOSTS.include?(uri.host)
      # ruleid: ruby-taint-ssrf
      Net::HTTP.get_response(uri)
      return
    end
    # ok: ruby-taint-ssrf
    Net::HTTP.get_response(uri)
  end

  def parsed_string
    url = params[:url]
    uri = URI.parse(url)
    if ALLOWED_HOSTS.include?(uri.host)
      # ok: ruby-taint-open-redirect
      redirect_to url
    else
      # ruleid: ruby-taint-open-redirect
      redirect_to url
    end
    if uri.host != "example.com"
      # ruleid: ruby-taint-open-redirect
      redirect_to url
      return
    end
    # ok: ruby-taint-open-redirect
    redirect_to url
  end

  def host_variable
    url = params[:url]
    host = URI(url).host
    if ALLOWED_HOSTS.include?(host)
      # ok: ruby-taint-open-redirect
      redirect_to url
    else
      # ruleid: ruby-taint-open-redirect
      redirect_to url
    end
    if !ALLOWED_HOSTS.include?(host)
      # ruleid: ruby-taint-open-redirect
      redirect_to url
      return
    end
    # ok: ruby-taint-open-redirect
    redirect_to url
  end

  def host_known
    url = params[:url]
    host = URI.parse(url).host
    if host != "example.com"
      # ruleid: ruby-taint-open-redirect
      redirect_to url
    end
    log(url)
    return unless host == "example.com"
    # ok: ruby-taint-open-redirect
    redirect_to url
  end
end

# A failed check cleans what follows it only when its branch leaves (return, raise, halt, head,
# `and return`, next), and it cleans its else, where the check passed.
class FailedChecksController < ApplicationController
  def listed_logged
    name = params[:name]
    unless PAGES.include?(name)
      logger.warn("unknown page")
    end
    # ruleid: ruby-taint-path-traversal
    File.read(name)
  end

  def listed_default
    name = params[:name]
    name = "index" unless PAGES.include?(name)
    # ok: ruby-taint-path-traversal
    File.read(name)
  end

  def listed_other_default
    name = params[:name]
    page = "index" unless PAGES.include?(name)
    # ruleid: ruby-taint-path-traversal
    File.read(name)
  end

  def listed_head
    name = params[:name]
    unless PAGES.include?(name)
      head :not_found  # answers, but the action goes on
    end
    # ruleid: ruby-taint-path-traversal
    File.read(name)
  end

  def listed_else
    name = params[:name]
    unless PAGES.include?(name)
      head :not_found
    else
      # ok: ruby-taint-path-traversal
      send_file File.join("/srv/pages", name)
    end
  end

  def listed_flag
    name = params[:name]
    unknown = false
    if !PAGES.include?(name)
      unknown = true
    end
    # ruleid: ruby-taint-dynamic-render-path
    render template: "pages/#{name}"
  end

  def listed_if_else
    name = params[:name]
    if !PAGES.include?(name)
      flash[:alert] = "unknown page"
    else
      # ok: ruby-taint-dynamic-render-path
      render template: "pages/#{name}"
    end
  end

  def rooted_logged
    path = File.expand_path(params[:path], "/var/data")
    unless path.start_with?("/var/data/")
      logger.warn("outside the data directory")
    end
    # ruleid: ruby-taint-path-traversal
    File.read(path)
  end

  def rooted_else
    path = File.expand_path(params[:path], "/var/data")
    if !path.start_with?("/var/data/")
      render plain: "forbidden", status: 403
    else
      # ok: ruby-taint-path-traversal
      File.read(path)
    end
  end

  def matched_warned
    cmd = params[:cmd]
    logger.warn("odd command name") unless cmd.match?(/\A\w+\z/)
    # ruleid: ruby-taint-code-injection
    eval("run_#{cmd}")
  end

  def matched_else
    cmd = params[:cmd]
    if cmd !~ /\A\w+\z/
      render plain: "bad command", status: 400
    else
      # ok: ruby-taint-code-injection
      eval("run_#{cmd}")
    end
  end

  def known_warned
    name = params[:name]
    @warning = "not the home page" if name != HOME
    # ruleid: ruby-taint-path-traversal
    File.read(name)
  end

  def known_else
    name = params[:name]
    unless name == HOME
      @warning = "not the home page"
    else
      # ok: ruby-taint-path-traversal
      File.read(name)
    end
  end
end

class FailedHostChecksController < ApplicationController
  def fetch_logged
    uri = URI.parse(params[:url])
    unless ALLOWED_HOSTS.include?(uri.host)
      logger.warn("host not allowed: #{uri.host}")
    end
    # ruleid: ruby-taint-ssrf
    Net::HTTP.get_response(uri)
  end

  def fetch_else
    uri = URI.parse(params[:url])
    if uri.host != "api.example.com"
      head :forbidden
    else
      # ok: ruby-taint-ssrf
      Net::HTTP.get_response(uri)
    end
  end

  def redirect_flagged
    url = params[:next]
    host = URI(url).host
    if !ALLOWED_HOSTS.include?(host)
      flash[:alert] = "leaving the site"
    end
    # ruleid: ruby-taint-open-redirect
    redirect_to url
  end

  def redirect_else
    url = params[:next]
    uri = URI.parse(url)
    unless ALLOWED_HOSTS.include?(uri.host)
      redirect_to root_path
    else
      # ok: ruby-taint-open-redirect
      redirect_to url
    end
  end
end

# A return inside the failed branch's last if is not its last statement (semgrep's text of the branch stops
# before that if's `end`); an if/else whose branches both leave is.
class ExportsController < ApplicationController
  def strict_only
    name = params[:name]
    unless EXPORTS.include?(name)
      logger.warn("unknown export #{name.inspect}")
      if params[:strict]
        return head(:bad_request)
      end
    end
    # ruleid: ruby-taint-path-traversal
    send_file File.join("/srv/exports", name)
  end

  def quiet_or_loud
    name = params[:name]
    unless EXPORTS.include?(name)
      logger.warn("unknown export #{name.inspect}")
      if params[:quiet]
        return head(:no_content)
      else
        raise ActionController::BadRequest, "unknown export"
      end
    end
    # ok: ruby-taint-path-traversal
    send_file File.join("/srv/exports", name)
  end
end

# A request parameter as the name of the method called
class ReportsController < ApplicationController
  EXPORTS = { "csv" => :to_csv, "json" => :to_json }
  FORMATS = %w[csv json]

  def export
    report = Report.find(params[:id])
    # ruleid: ruby-taint-method-from-request
    data = report.send(params[:format])
    # ruleid: ruby-taint-method-from-request
    report.public_send(params[:action_name], current_user)
    # ok: ruby-taint-method-from-request
    report.send(EXPORTS.fetch(params[:format]))
    # ok: ruby-taint-method-from-request
    report.send("export_#{params[:format]}")
    # ruleid: ruby-taint-method-from-request
    report.try(params[:field])
    render plain: data
  end

  def export_checked
    report = Report.find(params[:id])
    format = params[:format]
    return head(:bad_request) unless FORMATS.include?(format)
    # ok: ruby-taint-method-from-request
    render plain: report.send("to_#{format}")
  end

  def export_listed
    report = Report.find(params[:id])
    if FORMATS.include?(params[:format])
      # ok: ruby-taint-method-from-request
      render plain: report.public_send(params[:format])
    end
  end

  def call_helper(name)
    # ok: ruby-taint-method-from-request
    send(name)
  end
end

def update
  @user = User.find(params[:id])
  if @user.update(user_params)
    # ok: ruby-taint-open-redirect
    redirect_to @user, notice: "Updated."
  end
  # ok: ruby-taint-open-redirect
  redirect_to Record.where(key: params[:key]).find(params[:id])
  # ok: ruby-taint-open-redirect
  redirect_to params.merge(only_path: true, display: nil)
  # ok: ruby-taint-open-redirect
  redirect_to params.merge(:host => "example.com").except(:action)
  # ok: ruby-taint-open-redirect
  redirect_to params.slice(:page, :sort)
  # ruleid: ruby-taint-open-redirect
  redirect_to params.merge(host: params[:host])
  # ruleid: ruby-taint-open-redirect
  redirect_to params.slice(:back_to)[:back_to]
  # ruleid: ruby-taint-open-redirect
  redirect_to params.slice(:host, :path)
  # ruleid: ruby-taint-open-redirect
  redirect_to params[:urls].find { |u| u.start_with?("https") }
end

def conditions
  # ok: ruby-taint-sql-injection
  User.where("name" => params[:name])
  # ruleid: ruby-taint-sql-injection
  User.where(params[:column] => params[:name])
  # ok: ruby-taint-sql-injection
  User.find_by(params.slice(:id))
  # ok: ruby-taint-sql-injection
  User.where(params.permit(:id, :name))
  # ok: ruby-taint-sql-injection
  User.where(User.arel_table[:id].eq(params[:id]))
  # ruleid: ruby-taint-sql-injection
  User.where("name = '#{params.slice(:name)[:name]}'")
end

def rails2_finders
  # ruleid: ruby-taint-sql-injection
  User.find(:all, :conditions => "age > #{params[:age]}")
  # ruleid: ruby-taint-sql-injection
  Product.find(:last, :conditions => "admin = 1", :order => params[:order])
  # ruleid: ruby-taint-sql-injection
  Product.minimum(:price, conditions: "blah = #{params[:blah]}")
  # ruleid: ruby-taint-sql-injection
  User.update_all "name = 'Bob'", "name = '#{params[:name]}'"
  # ok: ruby-taint-sql-injection
  User.find(:all, :conditions => ["age > ?", params[:age]])
  # ok: ruby-taint-sql-injection
  User.find(:all, :conditions => { :age => params[:age] })
  # ok: ruby-taint-sql-injection
  User.update_all "old = TRUE", ["name = ?", params[:name]]
  # ok: ruby-taint-sql-injection
  User.find(:all, :include => params[:include])
end

def dynamic_classes
  # ruleid: ruby-taint-code-injection
  params[:class].safe_constantize.new
  # ruleid: ruby-taint-code-injection
  Module.const_get(params[:const])
  # ok: ruby-taint-code-injection
  Module.const_get(KINDS.fetch(params[:kind]))
  # ruleid: ruby-taint-xss
  render :text => "Welcome back, #{params[:name]}!"
  # ok: ruby-taint-xss
  render :plain => "Welcome back, #{params[:name]}!"
end

def more_sinks
  # ruleid: ruby-taint-mass-assignment
  User.update(params[:id], params[:user])
  # ok: ruby-taint-mass-assignment
  User.update(params[:id], alive: false)
  # ruleid: ruby-taint-mass-assignment
  User.where(name: "x").first_or_initialize!(params[:user])
  # ruleid: ruby-taint-path-traversal
  load params[:file]
end

def sql_by_name
  # ruleid: ruby-taint-sql-injection
  User.send(:from, params[:table]).all
  # ruleid: ruby-taint-sql-injection
  User.stuff.try(:where, params[:query])
  # ok: ruby-taint-sql-injection
  User.send(:find_by, name: params[:name])
  # ruleid: ruby-taint-sql-injection
  User.select(:name, params[:column])
  # ok: ruby-taint-sql-injection
  User.select(:name, :email)
  # ruleid: ruby-taint-sql-injection
  Product.sum(params[:column])
  # ok: ruby-taint-sql-injection
  Product.sum(:price)
  # ruleid: ruby-taint-sql-injection
  Arel.sql("select #{params[:s]}")
  # ok: ruby-taint-sql-injection
  items.select { |i| i.name == params[:name] }
end

class SearchController < ApplicationController
  def find
    # ruleid: ruby-taint-regex-injection
    @hits = Item.all.select { |i| i.name =~ /^#{params[:q]}/i }
    # ruleid: ruby-taint-regex-injection
    @first = Item.first.name.match(params[:pattern])
    # ok: ruby-taint-regex-injection
    @escaped = Item.all.select { |i| i.name =~ /^#{Regexp.escape(params[:q])}/i }
    # ok: ruby-taint-regex-injection
    @plain = Item.all.select { |i| i.name.include?(params[:q]) }
  end
end

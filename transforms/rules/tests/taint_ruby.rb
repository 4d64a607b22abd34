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

def search
  term = params[:q]
  # ruleid: ruby-taint-sql-injection
  User.where("name LIKE '%#{term}%'")
  # ok: ruby-taint-sql-injection
  User.where("name LIKE ?", "%#{term}%")
  # ok: ruby-taint-sql-injection
  User.where(name: term)
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

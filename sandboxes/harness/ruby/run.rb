# Runs /code/prog.rb and prints the run's completion token on stderr when it ends normally, and only
# then: `exit` raises SystemExit through `load`, `exit!` and at_exit handlers end the run before the
# last line here. The token leaves ENV before the program starts.
token = ENV.delete("THEMIS_COMPLETION").to_s
path = ARGV.shift
$0 = path
load path
$stdout.flush
STDERR.syswrite(token + "\n")

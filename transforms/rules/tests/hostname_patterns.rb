def trusted_site?(target, allowed_hosts, file)
  # ruleid: ruby-site-checked-by-substring
  return true if target.include?("partner.com")
  # ruleid: ruby-site-checked-by-substring
  return true if target.start_with?("https://cdn.example.org")
  # ruleid: ruby-site-checked-by-substring
  return true if target.end_with?("partner.com")
  # ok: ruby-site-checked-by-substring
  return true if target.start_with?("https://cdn.example.org/") || target.end_with?(".partner.com")
  # ok: ruby-site-checked-by-substring
  return true if allowed_hosts.include?("partner.com")
  # ok: ruby-site-checked-by-substring
  file.end_with?("Gemfile.lock") || target.include?("https://")
end

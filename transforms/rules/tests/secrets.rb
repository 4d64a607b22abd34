def clients
  # ruleid: ruby-secret-in-known-format
  stripe = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
  # ok: ruby-secret-in-known-format
  test_key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
  [stripe, test_key]
end

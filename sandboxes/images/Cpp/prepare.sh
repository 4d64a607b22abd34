# A precompiled <bits/stdc++.h> where the language spec looks for one (-I /.themis/pch, flags -O2):
# most benchmark C++ includes it, and parsing it costs seconds per compile.
set -e
header="$(find / -xdev -path '*/bits/stdc++.h' -not -path '/proc/*' | head -n 1)"
mkdir -p /.themis/pch/bits
g++ -O2 -x c++-header -o /.themis/pch/bits/stdc++.h.gch "$header"

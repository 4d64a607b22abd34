#include <iostream>
#include <string>
#include <vector>
#include <climits>

int pick(const std::vector<int> &items, const std::string &field) {
    int index = std::stoi(field);
    // ruleid: c-taint-index-unchecked
    return items[index];
}

int contest(std::vector<int> &counts) {
    int x;
    std::cin >> x;
    // ok: c-taint-index-unchecked
    return counts[x];
}

int pick_checked(const std::vector<int> &items, const std::string &text) {
    int index = std::stoi(text);
    if (index < 0 || index >= (int) items.size())
        return -1;
    // ok: c-taint-index-unchecked
    return items[index];
}

long grow(const std::string &text) {
    long size = std::stol(text);
    // ruleid: c-taint-integer-overflow
    long doubled = size * 2;
    // ok: c-taint-integer-overflow
    long quarter = size >> 2;
    return doubled > quarter ? doubled : quarter;
}

int next_count(int count) {
    // ok: c-taint-integer-overflow
    return count + 1;
}

#include <regex>
#include <random>
#include <string>

struct Widget { int size; };

int use_after_delete() {
    Widget *w = new Widget{3};
    delete w;
    // ruleid: cpp-use-after-delete
    return w->size;
}

int reset_after_delete() {
    Widget *w = new Widget{3};
    delete w;
    w = nullptr;
    // ok: cpp-use-after-delete
    return w == nullptr;
}

void double_delete(Widget *w) {
    // ruleid: cpp-double-delete
    delete w;
    delete w;
}

void single_delete(Widget *w) {
    // ok: cpp-double-delete
    delete w;
    w = nullptr;
    delete w;
}

bool regexes(const std::string &text) {
    // ruleid: cpp-regex-redos
    std::regex slow("^(a+)+$");
    // ok: cpp-regex-redos
    std::regex fast("^a+$");
    return std::regex_match(text, slow) || std::regex_match(text, fast);
}

unsigned keys() {
    // ruleid: cpp-insecure-random-engine-secret
    std::mt19937 key_generator(42);
    // ok: cpp-insecure-random-engine-secret
    std::mt19937 shuffle_generator(42);
    return key_generator() ^ shuffle_generator();
}

void log_line(std::FILE *out, const std::string &message) {
    // ruleid: cpp-format-string
    std::fprintf(out, message.c_str());
    // ok: cpp-format-string
    std::fprintf(out, "%s\n", message.c_str());
}

void readWordUnbounded()
{
	char buffer[BUFFER_SIZE];
	// ruleid: cpp-stream-read-into-char-array
	cin >> buffer;
	buffer[BUFFER_SIZE - 1] = '\0';
}

void readWordBounded()
{
	char buffer[BUFFER_SIZE];
	cin.width(BUFFER_SIZE);
	// ok: cpp-stream-read-into-char-array
	cin >> buffer;
	std::string word;
	// ok: cpp-stream-read-into-char-array
	std::cin >> word;
}

void readFields(std::ifstream &file)
{
	char name[16];
	char code[] = "XXXX";
	wchar_t label[8];
	int count;
	// ruleid: cpp-stream-read-into-char-array
	std::cin >> count >> name;
	// ruleid: cpp-stream-read-into-char-array
	file >> code;
	// ruleid: cpp-stream-read-into-char-array
	std::wcin >> label;
	// ok: cpp-stream-read-into-char-array
	std::cin >> std::setw(sizeof name) >> name;
	// ok: cpp-stream-read-into-char-array
	std::cin >> count;
}

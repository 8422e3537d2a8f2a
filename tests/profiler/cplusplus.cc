// A C++ program for tests/profiler/check.sh: names must come out
// demangled, and libstdc++'s own pool (allocated by its constructor,
// before main, never freed) apart from the program's leaks.
//
// The vector grows by doubling from 1 element of 4 bytes; at the 65th
// push_back it holds 64 elements (256 B) while it allocates 128 (512 B),
// with the vector object itself (24 B) live: the program's peak is
// 24 + 256 + 512 = 792 B, on top of the pool.
#include <vector>

namespace shapes {
struct square {
    int side;
};

__attribute__((noinline)) std::vector<square> *make_squares(int count) {
    auto *squares = new std::vector<square>(); // MAKES_VECTOR
    for (int i = 0; i < count; i++)
        squares->push_back(square{i}); // GROWS_VECTOR
    return squares;
}
} // namespace shapes

int main() {
    std::vector<shapes::square> *squares = shapes::make_squares(100);
    int total = 0;
    for (const auto &s : *squares)
        total += s.side;
    delete squares;
    return total == 4950 ? 0 : 1;
}

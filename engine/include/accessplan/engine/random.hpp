#pragma once
// Deterministic pseudo-random numbers for generated data (demo province, benchmarks): SplitMix64 (Steele, Lea &
// Flood 2014). The standard library's distributions differ between implementations; these give the same numbers
// on every machine.

#include <cstdint>

namespace accessplan {

/// SplitMix64 finaliser: a well-mixed 64-bit hash of z.
constexpr std::uint64_t splitmix64(std::uint64_t z) noexcept {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

class SplitMix64 {
public:
    explicit SplitMix64(std::uint64_t seed) noexcept : m_state(splitmix64(seed)) {}
    std::uint64_t next() noexcept { return splitmix64(m_state++); }
    /// Uniform in [0, 1).
    double uniform() noexcept { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
    double uniform(double a, double b) noexcept { return a + (b - a) * uniform(); }
    /// Uniform index in [0, n).
    std::size_t index(std::size_t n) noexcept { return static_cast<std::size_t>(next() % n); }

private:
    std::uint64_t m_state;
};

}  // namespace accessplan

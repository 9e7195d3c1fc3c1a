#include "accessplan/geodata/checksum.hpp"

#include <array>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "accessplan/engine/error.hpp"

namespace fs = std::filesystem;

namespace accessplan::geodata {
namespace {

struct Digest {
    Digest() : ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
        if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) throw InternalError("SHA-256: OpenSSL init failed");
    }
    void update(const void* data, std::size_t n) {
        if (EVP_DigestUpdate(ctx.get(), data, n) != 1) throw InternalError("SHA-256: OpenSSL update failed");
    }
    std::string hex() {
        std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
        unsigned int len = 0;
        if (EVP_DigestFinal_ex(ctx.get(), md.data(), &len) != 1) throw InternalError("SHA-256: OpenSSL final failed");
        std::string out;
        for (unsigned int i = 0; i < len; ++i) out += fmt::format("{:02x}", md[i]);
        return out;
    }
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx;
};

}  // namespace

std::string sha256_hex(std::string_view bytes) {
    Digest d;
    d.update(bytes.data(), bytes.size());
    return d.hex();
}

std::string sha256_file(const fs::path& file) {
    static std::mutex mutex;
    static std::map<std::tuple<std::string, std::uintmax_t, fs::file_time_type>, std::string> cache;
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    const auto mtime = fs::last_write_time(file, ec);
    if (ec) throw IoError(fmt::format("{}: cannot read it for its checksum ({})", file.string(), ec.message()));
    const auto key = std::make_tuple(fs::absolute(file).string(), size, mtime);
    {
        std::lock_guard<std::mutex> lock(mutex);
        if (auto it = cache.find(key); it != cache.end()) return it->second;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) throw IoError(fmt::format("{}: cannot read it for its checksum", file.string()));
    Digest d;
    std::vector<char> block(1 << 20);
    while (in) {
        in.read(block.data(), static_cast<std::streamsize>(block.size()));
        if (in.gcount() > 0) d.update(block.data(), static_cast<std::size_t>(in.gcount()));
    }
    std::string hex = d.hex();
    std::lock_guard<std::mutex> lock(mutex);
    cache.emplace(key, hex);
    return hex;
}

}  // namespace accessplan::geodata

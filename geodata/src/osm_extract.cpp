// The box an OpenStreetMap extract is complete in: the bounding box of an .osm.pbf's header block (OSM PBF format,
// wiki.openstreetmap.org/wiki/PBF_Format: a BlobHeader, then a Blob whose zlib data is the HeaderBlock; its field 1 is
// the HeaderBBox, sint64 nanodegrees left/right/top/bottom) or the <bounds> element of an .osm XML file.
#include "accessplan/geodata/vector_io.hpp"

#include <cstdint>
#include <fstream>
#include <regex>
#include <string>
#include <string_view>

#include <zlib.h>

namespace accessplan::geodata {
namespace {

// A protocol-buffer message read field by field (only what the header needs).
class Message {
public:
    explicit Message(std::string_view bytes) : m_p(bytes.data()), m_end(bytes.data() + bytes.size()) {}

    // The next field: its number, wire type and value (varint in `number`, length-delimited bytes in `bytes`).
    bool next(std::uint32_t& field, std::uint32_t& wire, std::uint64_t& number, std::string_view& bytes) {
        if (m_p >= m_end) return false;
        std::uint64_t key = 0;
        if (!varint(key)) return false;
        field = static_cast<std::uint32_t>(key >> 3);
        wire = static_cast<std::uint32_t>(key & 7);
        switch (wire) {
            case 0: return varint(number);
            case 1: return skip(8);
            case 5: return skip(4);
            case 2: {
                std::uint64_t n = 0;
                if (!varint(n) || n > static_cast<std::uint64_t>(m_end - m_p)) return false;
                bytes = std::string_view(m_p, static_cast<std::size_t>(n));
                m_p += n;
                return true;
            }
            default: return false;
        }
    }

private:
    bool varint(std::uint64_t& v) {
        v = 0;
        for (int shift = 0; shift < 64 && m_p < m_end; shift += 7) {
            const auto b = static_cast<std::uint8_t>(*m_p++);
            v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
            if (!(b & 0x80)) return true;
        }
        return false;
    }
    bool skip(std::ptrdiff_t n) {
        if (m_end - m_p < n) return false;
        m_p += n;
        return true;
    }
    const char* m_p;
    const char* m_end;
};

std::optional<std::array<double, 4>> pbf_box(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    unsigned char len_bytes[4];
    if (!in.read(reinterpret_cast<char*>(len_bytes), 4)) return std::nullopt;
    const std::uint32_t header_len = (std::uint32_t{len_bytes[0]} << 24) | (std::uint32_t{len_bytes[1]} << 16) |
                                     (std::uint32_t{len_bytes[2]} << 8) | len_bytes[3];
    if (header_len == 0 || header_len > 64 * 1024) return std::nullopt;
    std::string header(header_len, '\0');
    if (!in.read(header.data(), header_len)) return std::nullopt;
    std::uint32_t field = 0, wire = 0;
    std::uint64_t number = 0, datasize = 0;
    std::string_view bytes, type;
    for (Message m(header); m.next(field, wire, number, bytes);) {
        if (field == 1 && wire == 2) type = bytes;
        if (field == 3 && wire == 0) datasize = number;
    }
    if (type != "OSMHeader" || datasize == 0 || datasize > 32 * 1024 * 1024) return std::nullopt;
    std::string blob(static_cast<std::size_t>(datasize), '\0');
    if (!in.read(blob.data(), static_cast<std::streamsize>(datasize))) return std::nullopt;
    std::string block;
    std::uint64_t raw_size = 0;
    std::string_view zdata;
    for (Message m(blob); m.next(field, wire, number, bytes);) {
        if (field == 1 && wire == 2) block = std::string(bytes);
        if (field == 2 && wire == 0) raw_size = number;
        if (field == 3 && wire == 2) zdata = bytes;
    }
    if (block.empty() && !zdata.empty()) {
        if (raw_size == 0 || raw_size > 32 * 1024 * 1024) return std::nullopt;
        block.resize(static_cast<std::size_t>(raw_size));
        uLongf out_len = static_cast<uLongf>(raw_size);
        if (uncompress(reinterpret_cast<Bytef*>(block.data()), &out_len, reinterpret_cast<const Bytef*>(zdata.data()),
                       static_cast<uLong>(zdata.size())) != Z_OK)
            return std::nullopt;
        block.resize(out_len);
    }
    for (Message m(block); m.next(field, wire, number, bytes);) {
        if (field != 1 || wire != 2) continue;
        std::array<double, 4> nano{};  // left, right, top, bottom
        int seen = 0;
        for (Message b(bytes); b.next(field, wire, number, bytes);)
            if (wire == 0 && field >= 1 && field <= 4) {
                const auto v = static_cast<std::int64_t>((number >> 1) ^ (~(number & 1) + 1));  // zigzag
                nano[field - 1] = static_cast<double>(v) * 1e-9;
                ++seen;
            }
        if (seen == 4) return std::array<double, 4>{nano[0], nano[3], nano[1], nano[2]};
    }
    return std::nullopt;
}

std::optional<std::array<double, 4>> xml_box(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::string head(64 * 1024, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    const std::size_t at = head.find("<bounds");
    if (at == std::string::npos) return std::nullopt;
    const std::string element = head.substr(at, head.find('>', at) - at);
    auto attr = [&](const char* name) -> std::optional<double> {
        const std::regex re(std::string(name) + "\\s*=\\s*[\"']([-0-9.eE+]+)[\"']");
        std::smatch m;
        if (!std::regex_search(element, m, re)) return std::nullopt;
        return std::stod(m[1].str());
    };
    const auto w = attr("minlon"), s = attr("minlat"), e = attr("maxlon"), n = attr("maxlat");
    if (!w || !s || !e || !n) return std::nullopt;
    return std::array<double, 4>{*w, *s, *e, *n};
}

}  // namespace

std::optional<std::array<double, 4>> osm_extract_box(const std::filesystem::path& path) {
    const std::string name = path.filename().string();
    const bool pbf = name.size() > 4 && name.compare(name.size() - 4, 4, ".pbf") == 0;
    try {
        auto box = pbf ? pbf_box(path) : xml_box(path);
        if (box && (*box)[0] < (*box)[2] && (*box)[1] < (*box)[3]) return box;
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

}  // namespace accessplan::geodata

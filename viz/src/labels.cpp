#include "accessplan/viz/labels.hpp"

#include <cmath>
#include <map>
#include <utility>

#include <fmt/format.h>

namespace accessplan::viz {
namespace {

using Pair = std::pair<const char*, const char*>;

const std::map<std::string, Pair>& phrases() {
    static const std::map<std::string, Pair> table{
        {"travel time", {"Travel time", "Thời gian di chuyển"}},
        {"change in travel time", {"Change in travel time", "Thay đổi thời gian di chuyển"}},
        {"by", {"by", "bằng"}},
        {"threshold", {"threshold", "ngưỡng"}},
        {"minutes", {"min", "phút"}},
        {"legend", {"Legend", "Chú giải"}},
        {"unreachable", {"no access (unreachable)", "không tiếp cận được"}},
        {"water", {"water", "mặt nước"}},
        {"outside", {"outside the study area", "ngoài khu vực nghiên cứu"}},
        {"island", {"island area", "vùng hải đảo"}},
        {"border", {"border area", "vùng biên giới"}},
        {"remote", {"remote area", "vùng sâu, vùng xa"}},
        {"gap", {"access gap (children beyond the threshold)", "vùng thiếu tiếp cận (trẻ em vượt ngưỡng)"}},
        {"facility", {"facility", "cơ sở"}},
        {"ranked site", {"proposed site, by priority", "địa điểm đề xuất, theo thứ tự ưu tiên"}},
        {"zone boundary", {"commune / zone boundary", "ranh giới xã / khu vực"}},
        {"study area", {"study area boundary", "ranh giới khu vực nghiên cứu"}},
        {"national border", {"national border", "biên giới quốc gia"}},
        {"within", {"within", "trong vòng"}},
        {"children", {"children", "trẻ em"}},
        {"of", {"of", "trên"}},
        {"gained access", {"gained access", "được tiếp cận"}},
        {"lost access", {"lost access", "mất tiếp cận"}},
        {"grid north", {"grid north", "hướng bắc lưới"}},
        {"data", {"Data", "Dữ liệu"}},
        {"map", {"Map", "Bản đồ"}},
        {"projection", {"projection", "hệ tọa độ"}},
        {"scenario", {"Scenario", "Kịch bản"}},
        {"compared with", {"compared with", "so với"}},
        {"area classes", {"Area classes (hatched)", "Loại vùng (gạch chéo)"}},
        {"other", {"other", "khác"}},
    };
    return table;
}

const std::map<std::string, Pair>& names() {
    static const std::map<std::string, Pair> table{
        {"primary_school", {"primary school", "trường tiểu học"}},
        {"lower_secondary_school", {"lower secondary school", "trường trung học cơ sở"}},
        {"upper_secondary_school", {"upper secondary school", "trường trung học phổ thông"}},
        {"kindergarten", {"kindergarten", "trường mầm non"}},
        {"commune_health_station", {"commune health station", "trạm y tế xã"}},
        {"hospital", {"hospital", "bệnh viện"}},
        {"clinic", {"clinic", "phòng khám"}},
        {"playground", {"playground", "sân chơi"}},
        {"swimming_pool", {"swimming pool", "bể bơi"}},
        {"walking", {"walking", "đi bộ"}},
        {"bicycle", {"bicycle", "xe đạp"}},
        {"motorbike", {"motorbike", "xe máy"}},
        {"car", {"car", "ô tô"}},
        {"boat", {"boat", "thuyền"}},
        {"all", {"all", "tất cả"}},
        {"island", {"island", "hải đảo"}},
        {"border", {"border", "biên giới"}},
        {"remote", {"remote", "vùng sâu, vùng xa"}},
        {"none", {"none of these", "vùng khác"}},
        {"file", {"file", "tệp"}},                       // where a candidate site comes from (ranking.csv origin)
        {"gap_centre", {"gap centre", "tâm vùng thiếu"}},
        {"lattice", {"lattice", "lưới"}},
        {"school", {"school", "trường học"}},
    };
    return table;
}

std::string group_digits(long long v, char sep) {
    std::string digits = std::to_string(v < 0 ? -v : v), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += sep;
        out += digits[i];
    }
    return (v < 0 ? "-" : "") + out;
}

}  // namespace

std::string tr(const std::string& key, Lang lang) {
    const auto& t = phrases();
    const auto it = t.find(key);
    if (it == t.end()) return key;
    return lang == Lang::vi ? it->second.second : it->second.first;
}

std::string display_name(const std::string& name, Lang lang) {
    const auto& t = names();
    if (const auto it = t.find(name); it != t.end()) return lang == Lang::vi ? it->second.second : it->second.first;
    std::string out = name;
    for (char& c : out)
        if (c == '_') c = ' ';
    return out;
}

std::string age_group_label(int min_age, int max_age, Lang lang, bool all_ages) {
    if (all_ages) return lang == Lang::vi ? "người mọi lứa tuổi (không có dữ liệu tuổi)" : "people of all ages (no age data)";
    return lang == Lang::vi ? fmt::format("trẻ {}–{} tuổi", min_age, max_age) : fmt::format("children aged {}–{}", min_age, max_age);
}

std::string people_noun(bool all_ages, Lang lang) {
    if (all_ages) return lang == Lang::vi ? "người (mọi lứa tuổi)" : "people (all ages)";
    return lang == Lang::vi ? "trẻ em" : "children";
}

std::string format_count(double value, Lang lang) {
    if (!std::isfinite(value)) return "–";
    return group_digits(std::llround(value), lang == Lang::vi ? '.' : ',');
}

std::string format_pct(double value, Lang lang) {
    if (!std::isfinite(value)) return "–";
    std::string s = fmt::format("{:.1f}%", value);
    if (lang == Lang::vi)
        for (char& c : s)
            if (c == '.') c = ',';
    return s;
}

}  // namespace accessplan::viz

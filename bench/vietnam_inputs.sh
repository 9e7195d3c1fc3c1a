# Sourced by the benches whose scenarios are built from ../shared/data/vietnam (run_national_bench.sh,
# run_provinces_bench.sh), with `root` (the checkout) and `bench_name` (for messages) set: checks the data folder,
# installs and builds, and sets data, build, bin, work (a temporary folder, removed on exit), coast (the GSHHG/WDBII
# GeoPackage) and $work/districts.gpkg (the 708 HDX district points with a `type` column: district_centre).
data="${ACCESSPLAN_SHARED_DATA:-$root/../shared/data/vietnam}"
if [[ ! -f "$data/population/vnm_ppp_2020_1km_Aggregated_UNadj.tif" ]]; then
  echo "$bench_name: the Vietnam data folder $data is missing (set ACCESSPLAN_SHARED_DATA)" >&2
  exit 3
fi
bash "$root/tools/setup-debian.sh"
bash "$root/tools/build.sh" >/dev/null
build="${ACCESSPLAN_BUILD_DIR:-$root/build}"
bin="$build/tools/accessplan"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
ogr2ogr -f GPKG "$work/districts.gpkg" "$data/boundaries/hdx_cod_ab_vnm_20201027/vnm_admbndp_admALL_gov_itos_20201027.shp" \
  -nln districts -sql "SELECT *, 'district_centre' AS type FROM vnm_admbndp_admALL_gov_itos_20201027"
coast="$data/coast/vn_gshhg_full_borders_dcw_102-110E_8-24N.gpkg"

# The national scenario of issue 20 (run_national_bench.sh, run_split_bench.sh) written to $1, beside districts.gpkg;
# with $2 = land, the GSHHG land polygons as travel.land (the sea impassable; without it the sea is land of class 40,
# which the run says); with $3 = study_area, travel.search: study_area (the search stops once the country's every
# cell has its time: three quarters of the grid are sea and neighbouring countries).
national_scenario() {
local land="" search=""
[[ "${2:-}" == land ]] && land="  land: {file: $coast, layer: gshhg_f_land_102_110E_8_24N}"
[[ "${3:-}" == study_area ]] && search="  search: study_area"
cat >"$1" <<EOF
schema_version: 1
name: Vietnam, district centres by motorbike
area:
  boundary: {file: $coast, layer: dcw_vietnam}
  cell_size_m: 100
population:
  total: $data/population/vnm_ppp_2020_1km_Aggregated_UNadj.tif
facilities: {file: districts.gpkg, layer: districts, name_field: ADM2_EN}
travel:
  landcover: {uniform: 40}
  border: {file: $coast, layer: gshhg_f_borders_lvl1}
$land
$search
zones: {file: $data/boundaries/geoboundaries_VNM/geoBoundaries-VNM-ADM1.shp, code_field: shapeISO, name_field: shapeName}
services:
  - name: district_centre
    facility_types: [district_centre]
    target_group: children_3_14
    threshold_min: 60
    mode: motorbike
EOF
}

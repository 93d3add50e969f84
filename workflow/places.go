package workflow

import (
	"regexp"
	"strings"
)

// iso3166 holds the officially assigned ISO 3166-1 alpha-2 codes.
var iso3166 = func() map[string]bool {
	const codes = `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP
KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ
VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW`
	m := map[string]bool{}
	for _, c := range strings.Fields(codes) {
		m[c] = true
	}
	return m
}()

// ValidCountry reports whether c is an assigned ISO 3166-1 alpha-2 code
// (upper case).
func ValidCountry(c string) bool { return iso3166[c] }

// nutsCountry maps the ISO codes whose NUTS prefix differs.
var nutsCountry = map[string]string{"GR": "EL", "GB": "UK"}

var nuts2 = regexp.MustCompile(`^[A-Z]{2}[0-9A-Z]{2}$`)

// ValidNUTS2 reports whether region is a NUTS level-2 code of the given
// country: the country's NUTS prefix and two letters or digits (ITI1, HU11,
// EL30). It checks the form, not the current NUTS edition.
func ValidNUTS2(region, country string) bool {
	if !nuts2.MatchString(region) {
		return false
	}
	prefix := country
	if p, ok := nutsCountry[country]; ok {
		prefix = p
	}
	return region[:2] == prefix
}

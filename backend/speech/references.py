"""Published vowel formants that recordings are judged against, two studies per accent.

Every accent is judged against two independent studies, and a monophthong passes only when
it is nearest the right vowel under each: one study measured careful citation words, the
other a different speaker sample or a different speaking style, so audio tuned to one table
cannot drift away from the accent.

F1/F2 in Hz, adult speakers. Schwa is in none of these studies: the neutral vowel of a
uniform tube (:data:`SCHWA`) stands in for it in every table.

Men
- US: Hillenbrand, Getty, Clark & Wheeler (1995), "Acoustic characteristics of American
  English vowels", JASA 97:3099-3111, Table V: 45 men from Michigan, /hVd/ words, formants
  at the steadiest point. And Peterson & Barney (1952), "Control methods used in a study of
  the vowels", JASA 24:175-184, Table II: 33 men, /hVd/ words, spectrograph sections (the
  figures agree within 15 Hz with the raw data Praat ships as "Create formant table
  (Peterson & Barney 1952)"; a test holds them to it).
- GB: Deterding (1997), "The formants of monophthong vowels in Standard Southern British
  English pronunciation", JIPA 27:47-55, Table 2: 5 male BBC broadcasters, connected
  speech (MARSEC). And Hawkins & Midgley (2005), "Formant frequencies of RP monophthongs in
  four age groups of speakers", JIPA 35:183-199: the youngest group (5 RP men aged 20-25
  in 2001), /hVd/ words in a carrier sentence. The means below are of the group's 20
  tokens per vowel, from the paper's data as republished with the authors' permission in
  github.com/danstowell/xamrt (examples/formant_data/hm_grp4.csv); they reproduce the
  figures quoted from the paper (who'd F2 1616 Hz, hoard F1 392 Hz). They show today's RP:
  /æ/ open (F1 916), /uː/ and /ʊ/ fronted (F2 1616, 1287). Wells (1962), the other
  citation-form RP study, is not used: its table could not be checked against a source.

Women
- US: Hillenbrand et al. (1995) Table V, 48 women; Peterson & Barney (1952) Table II, 28
  women.
- GB: Deterding (1997) Table 2, 5 female broadcasters, connected speech; and Table 4's
  citation forms, 8 women in /hVd/ words (from Deterding's 1990 thesis). Hawkins & Midgley
  recorded men only.
"""

from dataclasses import dataclass

from speech.ipa import MONOPHTHONGS

Formants = dict[str, tuple[int, int]]

SCHWA_MEN = (500, 1500)  # a uniform 17.5 cm tube (Fant 1960; Stevens 1998)
SCHWA_WOMEN = (585, 1755)  # a 15 cm tube
SCHWA = SCHWA_MEN

HILLENBRAND_1995_MEN: Formants = {
    "i": (342, 2322), "ɪ": (427, 2034), "ɛ": (580, 1799), "æ": (588, 1952), "ʌ": (623, 1200),
    "ɑ": (768, 1333), "ɔ": (652, 997), "ʊ": (469, 1122), "u": (378, 997), "ɝ": (474, 1379),
    "ə": SCHWA_MEN,
}  # fmt: skip
HILLENBRAND_1995_WOMEN: Formants = {
    "i": (437, 2761), "ɪ": (483, 2365), "ɛ": (731, 2058), "æ": (669, 2349), "ʌ": (753, 1426),
    "ɑ": (936, 1551), "ɔ": (781, 1136), "ʊ": (519, 1225), "u": (459, 1105), "ɝ": (523, 1588),
    "ə": SCHWA_WOMEN,
}  # fmt: skip
PETERSON_BARNEY_1952_MEN: Formants = {
    "i": (270, 2290), "ɪ": (390, 1990), "ɛ": (530, 1840), "æ": (660, 1720), "ʌ": (640, 1190),
    "ɑ": (730, 1090), "ɔ": (570, 840), "ʊ": (440, 1020), "u": (300, 870), "ɝ": (490, 1350),
    "ə": SCHWA_MEN,
}  # fmt: skip
PETERSON_BARNEY_1952_WOMEN: Formants = {
    "i": (310, 2790), "ɪ": (430, 2480), "ɛ": (610, 2330), "æ": (860, 2050), "ʌ": (760, 1400),
    "ɑ": (850, 1220), "ɔ": (590, 920), "ʊ": (470, 1160), "u": (370, 950), "ɝ": (500, 1640),
    "ə": SCHWA_WOMEN,
}  # fmt: skip
DETERDING_1997_MEN: Formants = {
    "iː": (280, 2249), "ɪ": (367, 1757), "e": (494, 1650), "æ": (690, 1550), "ʌ": (644, 1259),
    "ɑː": (646, 1155), "ɒ": (558, 1047), "ɔː": (415, 828), "ʊ": (379, 1173), "uː": (316, 1191),
    "ɜː": (478, 1436), "ə": SCHWA_MEN,
}  # fmt: skip
DETERDING_1997_WOMEN: Formants = {
    "iː": (303, 2654), "ɪ": (384, 2174), "e": (719, 2063), "æ": (1018, 1799),
    "ʌ": (914, 1459), "ɑː": (910, 1316), "ɒ": (751, 1215), "ɔː": (389, 888), "ʊ": (410, 1340),
    "uː": (328, 1437), "ɜː": (606, 1695), "ə": SCHWA_WOMEN,
}  # fmt: skip
DETERDING_1990_CITATION_WOMEN: Formants = {  # as printed in Deterding (1997), Table 4
    "iː": (319, 2723), "ɪ": (432, 2296), "e": (645, 2287), "æ": (1011, 1759),
    "ʌ": (813, 1422), "ɑː": (779, 1181), "ɒ": (602, 994), "ɔː": (431, 799), "ʊ": (414, 1203),
    "uː": (339, 1396), "ɜː": (650, 1593), "ə": SCHWA_WOMEN,
}  # fmt: skip
HAWKINS_MIDGLEY_2005_YOUNG_MEN: Formants = {
    "iː": (276, 2338), "ɪ": (393, 2174), "e": (600, 1926), "æ": (916, 1473), "ʌ": (658, 1208),
    "ɑː": (604, 1040), "ɒ": (483, 865), "ɔː": (392, 630), "ʊ": (413, 1287), "uː": (289, 1616),
    "ɜː": (494, 1372), "ə": SCHWA_MEN,
}  # fmt: skip

# Which reference vowels count as right for each chart (British) phoneme.
US_EXPECTED = {
    "iː": {"i"}, "ɪ": {"ɪ"}, "ʊ": {"ʊ"}, "uː": {"u"}, "e": {"ɛ"}, "ə": {"ə"}, "ɜː": {"ɝ"},
    "ɔː": {"ɔ"}, "æ": {"æ"}, "ʌ": {"ʌ"}, "ɑː": {"ɑ"},
    "ɒ": {"ɑ", "ɔ"},  # General American has no /ɒ/: LOT is said as PALM or THOUGHT
}  # fmt: skip
GB_EXPECTED = {symbol: {symbol} for symbol in MONOPHTHONGS}
# American vowels written as the chart's (British) symbols, to tell staff what was heard.
US_TO_CHART = {
    "i": "iː", "ɪ": "ɪ", "ɛ": "e", "æ": "æ", "ʌ": "ʌ", "ɑ": "ɑː", "ɔ": "ɔː", "ʊ": "ʊ",
    "u": "uː", "ɝ": "ɜː", "ə": "ə",
}  # fmt: skip


@dataclass(frozen=True)
class Reference:
    """One study's vowel means: ``name`` is short (for tables), ``measured`` says what."""

    name: str
    measured: str
    formants: Formants
    expected: dict[str, set[str]]


HILLENBRAND_MEN = Reference(
    "Hillenbrand et al. 1995, men", "45 US men, /hVd/ words", HILLENBRAND_1995_MEN, US_EXPECTED
)
PETERSON_BARNEY_MEN = Reference(
    "Peterson & Barney 1952, men", "33 US men, /hVd/ words", PETERSON_BARNEY_1952_MEN, US_EXPECTED
)
DETERDING_MEN = Reference(
    "Deterding 1997, men", "5 SSB men, connected speech", DETERDING_1997_MEN, GB_EXPECTED
)
HAWKINS_MIDGLEY_MEN = Reference(
    "Hawkins & Midgley 2005, men",
    "5 RP men aged 20-25, /hVd/ words",
    HAWKINS_MIDGLEY_2005_YOUNG_MEN,
    GB_EXPECTED,
)
HILLENBRAND_WOMEN = Reference(
    "Hillenbrand et al. 1995, women",
    "48 US women, /hVd/ words",
    HILLENBRAND_1995_WOMEN,
    US_EXPECTED,
)
PETERSON_BARNEY_WOMEN = Reference(
    "Peterson & Barney 1952, women",
    "28 US women, /hVd/ words",
    PETERSON_BARNEY_1952_WOMEN,
    US_EXPECTED,
)
DETERDING_WOMEN = Reference(
    "Deterding 1997, women", "5 SSB women, connected speech", DETERDING_1997_WOMEN, GB_EXPECTED
)
DETERDING_CITATION_WOMEN = Reference(
    "Deterding 1990, women",
    "8 SSB women, /hVd/ words",
    DETERDING_1990_CITATION_WOMEN,
    GB_EXPECTED,
)

MEN: dict[str, tuple[Reference, ...]] = {
    "en-US": (HILLENBRAND_MEN, PETERSON_BARNEY_MEN),
    "en-GB": (DETERDING_MEN, HAWKINS_MIDGLEY_MEN),
}
WOMEN: dict[str, tuple[Reference, ...]] = {
    "en-US": (HILLENBRAND_WOMEN, PETERSON_BARNEY_WOMEN),
    "en-GB": (DETERDING_WOMEN, DETERDING_CITATION_WOMEN),
}


def references_for(accent: str, gender: str = "") -> tuple[Reference, ...]:
    """The studies a recording in ``accent`` is judged against (an unknown accent is judged
    as American); women's recordings (``gender="female"``) against women's formants."""
    table = WOMEN if gender == "female" else MEN
    return table.get(accent, table["en-US"])

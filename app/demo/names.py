"""Demo populations of resident names, and the mistakes made writing them down on the phone.

`faker_population` draws from Faker's en_GB lists (about 360 forenames and 500
surnames, so many residents share a full name). `diverse_population` has the
spread of a large British council: tens of thousands of surnames from many
languages, common ones much more common (Zipf-like). Both read Faker's word
lists once and draw with a seeded `random.Random`: a million names take a few
seconds, and the same seed always gives the same names.

`misspell` makes one realistic error of the kind a call handler makes typing a
name heard over a headset.
"""

import importlib
import itertools
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from random import Random

from app.search.names import normalise_name
from app.search.nicknames import FORENAME_GROUPS

Name = tuple[str, str | None, str]

MIDDLE_NAME_RATE = 0.3
# Surnames and forenames of these Faker locales are written in Latin script.
SURNAME_LOCALES = (
    "en_IE en_US en_NZ en_IN en_PK de_DE de_AT de_CH fr_FR fr_CA fr_CH it_IT es_ES es_MX es_CO "
    "es_AR pt_PT pt_BR nl_NL nl_BE pl_PL cs_CZ sk_SK sl_SI hr_HR hu_HU ro_RO lt_LT lv_LV et_EE "
    "fi_FI sv_SE da_DK no_NO tr_TR id_ID vi_VN yo_NG tw_GH zu_ZA"
).split()
FORENAME_LOCALES = SURNAME_LOCALES
# Build the pools with their own seed, so every population has the same names
# and only who gets which depends on the caller's seed.
_POOL_SEED = 20261125
_GENERATED_SURNAMES = 42_000
DOUBLE_BARRELLED_RATE = 0.01


# --------------------------------------------------------------------------- Faker en_GB


def _en_gb():
    return importlib.import_module("faker.providers.person.en_GB").Provider


def faker_population(n: int, seed: int = 0) -> Iterator[Name]:
    """`n` (forename, middle or None, surname) drawn as Faker en_GB draws them.

    Forenames uniformly from its male and female lists, surnames by its
    weights; about 30% have a middle name of the same sex.
    """
    provider = _en_gb()
    surnames = list(provider.last_names)
    cumulative = list(itertools.accumulate(provider.last_names.values()))
    pools = (_uniform(provider.first_names_male), _uniform(provider.first_names_female))
    yield from _draw(n, Random(seed), pools, (surnames, cumulative), double_barrelled=0.0)


Pool = tuple[list[str], list[float]]  # names and their cumulative weights


def _uniform(names) -> Pool:
    return list(names), [float(i) for i in range(1, len(names) + 1)]


def _draw(
    n: int, rng: Random, forenames: tuple[Pool, Pool], surnames: Pool, double_barrelled: float
) -> Iterator[Name]:
    # Draw in whole chunks whatever `n` is, so that a longer population starts
    # with the shorter one of the same seed.
    chunk = 10_000
    random = rng.random
    for start in range(0, n, chunk):
        surname_draws = rng.choices(surnames[0], cum_weights=surnames[1], k=chunk)
        drawn = [
            rng.choices(names, cum_weights=weights, k=2 * chunk) for names, weights in forenames
        ]
        for i, surname in enumerate(surname_draws[: n - start]):
            pool = drawn[0] if random() < 0.5 else drawn[1]
            forename = pool[2 * i]
            middle = pool[2 * i + 1] if random() < MIDDLE_NAME_RATE else None
            if middle == forename:
                middle = None
            if double_barrelled and random() < double_barrelled:
                other = rng.choices(surnames[0], cum_weights=surnames[1], k=1)[0]
                if other != surname and " " not in other + surname:
                    surname = f"{surname}-{other}"
            yield forename, middle, surname


# --------------------------------------------------------------------------- diverse


def _is_latin(name: str) -> bool:
    return all(ch in " '-" or (ch.isalpha() and "LATIN" in unicodedata.name(ch, "")) for ch in name)


def _locale_names(locale: str, attributes: tuple[str, ...]) -> list[str]:
    try:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    except ModuleNotFoundError:
        return []
    names: list[str] = []
    for attribute in attributes:
        names.extend(getattr(provider, attribute, None) or ())
    return [n.strip() for n in names if n and _is_latin(n.strip()) and len(n.strip()) > 1]


def _interleave(lists: list[list[str]]) -> list[str]:
    out = []
    for row in itertools.zip_longest(*lists):
        out.extend(name for name in row if name)
    return out


def _dedupe(names: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        key = normalise_name(name)
        if key and key not in seen:
            seen[key] = name
    return list(seen.values())


_ENGLISH_HEADS = (
    "ash black brad brook bur cal chad chester clay cole crom dal dun east elling fair farn "
    "gold green hal hart hay hol hun kings lang lin mar mid mor new north oak ox pen red rush "
    "sal sand shel stan stock sut thorn wal west whit wick win wood brom ather bram cart dray "
    "fen gar hep ing kel lock mel nor pick rad scar sher stan tad ud ver wad wat wel yar "
    "bar ber bick brace brier bux car chel clif cog cran crox dar dex dig dor dray ec ed "
    "el em en farr fil fox gat glad grim had ham har hath hed hex hil hod hop hors hud ick "
    "kirk knot lam lax lea ley lid lit lud lut mal man mat mer mil mon nap nether old ot pad "
    "pel pit plum pol pres pud rain raven rid rock roth row rud sad sax shap shot sil slad "
    "smal sod spal stain stap stow sud swin tan tem thur tid tol tot up wal war wig wil wit"
).split()
_ENGLISH_TAILS = (
    "ford ley ton well wood by ham field worth more shaw stone bridge dale hurst ington wick "
    "combe den thorpe croft land cott borough stead ridge brook man er son house cliffe low "
    "bury hall mead ney sey lake thwaite wall acre hill ham don bourne"
).split()
_PATRONYM_STEMS = (
    "adam alan allen ander bar bart ben bert bry col dan davi dick dob dod ed ell evan fitz "
    "gib gil hal harri hob hodg hop hugh jack jenk jeff jen john kit law lamb mat mor nel "
    "nich pat paul per phil rich rob rog sam sim stephen thom tib tim tom wat wil wilk will"
).split()
_PATRONYM_TAILS = ("s", "son", "kins", "kinson", "ings", "es", "ett", "cock", "en")
_GAELIC_STEMS = (
    "allister aulay bride cormack dermott dougall ewan farlane gill gowan innes intyre kay "
    "kendrick kinnon lachlan lean leod millan namara naught neil pherson quarrie rae sween "
    "tavish carthy guire grath govern caffrey cabe cann clure coll conville cready crae "
    "donagh dowell elroy fadyen fee gee ginley glashan gonigle hugh ilroy inally iver kee "
    "kellar kenna lellan loughlin mahon manus master morrow murray nab nair nally nulty "
    "phail quade queen robbie ritchie tear vey whirter"
).split()
_IRISH_STEMS = (
    "brien connor donnell dowd driscoll hara keefe leary mahony neill reilly rourke shea "
    "sullivan toole callaghan dwyer flaherty grady halloran kane malley meara regan brennan "
    "byrne carroll connell doherty donovan farrell flynn gorman hagan hanlon kelly loughlin "
    "mara mullan neal riordan shaughnessy sheehan boyle cleary dea flanagan gallagher higgins"
).split()
_SLAVIC_STEMS = (
    "kowal nowak lewand wisn zielin szyman wozn kozl jank mazur kwiat krawcz piotr grabow "
    "nowic pawl michal wrobl zajac krol wiecz jabl majew olszew stepien malin jaw dudek "
    "adamcz dub nowick pawlak gorsk witk walcz sikor rutk baran mich szewcz ostrow tomasz "
    "zalew wrobel pietrz marcin jasin zawadz bak chmiel wlodarcz borkow czarnec sawick "
    "sokol urban kubiak maciejew szczepan kucharsk wilczyn kalinow lis mazurek wysock "
    "adamsk kazmierczak wasilew sobczak czerwin andrzejew cieslak glowack zak kolodziej"
).split()
_SLAVIC_TAILS = (
    "ski",
    "ska",
    "wicz",
    "czyk",
    "owski",
    "ak",
    "ek",
    "enko",
    "ov",
    "ova",
    "ic",
    "ovic",
)
_ROMANCE_STEMS = (
    "bell rossi ferr espos bian roman colomb ricc marin greco brun gall conti costa mancin "
    "rizz lombard moret barb fontan sant mariani rinald carus ferrar gall martin leon serr "
    "mor vitale pelleg palm gentil longo mazz cattan d'angel de luca caput fiore rocc "
    "garc fernand gonzal rodrig lop martin sanch perez gomez diaz alvar moren jimen ruiz "
    "hernand alons navarr torr domingu gutierr ramir vazqu castill ortiz rubi molin delg "
    "silv sous oliveir pereir ferreir carvalh almeid ribeir coelh lopes pint teixeir"
).split()
_ROMANCE_TAILS = (
    "elli",
    "ini",
    "etti",
    "one",
    "ucci",
    "ano",
    "ino",
    "ato",
    "ez",
    "es",
    "eira",
    "inho",
    "o",
    "a",
    "i",
)
_GERMANIC_STEMS = (
    "acker adler bauer beck berg braun busch dietr eber engel fisch frank fried gross hahn "
    "hart heil hoff hub jung kaiser keller klein koch kraus kuhn lang lehm lind lorenz "
    "maier mey neu otto pohl rich roth sauer schaf schmitt schul schwarz seid sommer stein "
    "vog wagn walt weber weiss wern wolf zimmer van den de groot jans bakker visser smit "
    "meijer mulder bos vos peters hend dekker brouwer dijk kok jacobs verm"
).split()
_GERMANIC_TAILS = (
    "mann",
    "berg",
    "stein",
    "feld",
    "hoff",
    "er",
    "ing",
    "sen",
    "sma",
    "stra",
    "hardt",
    "ke",
)
_ONSETS = ("b bh ch d dh g gb h j k kw l m mb n nd ng ny p r s sh t th ts w y z kh f v").split()
_VOWELS = "a e i o u a e i o u a o ai".split()
_SYLLABLE_TAILS = (
    "",
    "",
    "",
    "n",
    "m",
    "ng",
    "r",
    "l",
    "h",
    "s",
    "t",
    "wo",
    "ye",
    "de",
    "la",
    "ko",
)
_SOUTH_ASIAN = (
    "Patel Shah Khan Ahmed Ali Hussain Begum Rahman Islam Uddin Miah Chowdhury Singh Kaur "
    "Sharma Gupta Kumar Mistry Parmar Chauhan Joshi Mehta Desai Bhatt Iqbal Akhtar Malik Butt "
    "Qureshi Mahmood Aslam Anwar Bashir Hanif Javed Latif Nawaz Rashid Saleem Sheikh Siddiqui "
    "Yousaf Zaman Hossain Karim Haque Sarkar Das Roy Bose Ghosh Sen Dutta Banerjee Chatterjee "
    "Mukherjee Nair Menon Pillai Reddy Rao Iyer Krishnan Subramanian Sandhu Gill Dhillon Sidhu "
    "Grewal Bains Johal Kang Sohal Atwal Rai Lal Chopra Kapoor Malhotra Bhatia Arora Sethi "
    "Verma Yadav Pandey Mishra Tiwari Dubey Trivedi Raval Solanki Vaghela Lad Modi Thakkar "
    "Ansari Farooq Hamid Ismail Jamil Khalid Mirza Nadeem Rafiq Shafiq Tariq Zafar Abbasi"
).split()
_EAST_ASIAN = (
    "Chen Wang Li Zhang Liu Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Luo Zheng "
    "Liang Xie Tang Han Cao Deng Feng Lam Wong Chan Cheung Ng Ho Yip Kwok Tsang Leung Lau Fung "
    "Kim Park Choi Jung Kang Cho Yoon Jang Lim Tanaka Sato Suzuki Takahashi Watanabe Ito "
    "Yamamoto Nakamura Kobayashi Nguyen Tran Le Pham Hoang Phan Vu Dang Bui Do Ngo Duong Ly"
).split()


def _title(name: str) -> str:
    return name[:1].upper() + name[1:]


def _generated_surnames(rng: Random, count: int) -> list[str]:
    makers = [
        lambda: _title(rng.choice(_ENGLISH_HEADS) + rng.choice(_ENGLISH_TAILS)),
        lambda: _title(rng.choice(_PATRONYM_STEMS) + rng.choice(_PATRONYM_TAILS)),
        lambda: rng.choice(("Mc", "Mac")) + _title(rng.choice(_GAELIC_STEMS)),
        lambda: "O'" + _title(rng.choice(_IRISH_STEMS)),
        lambda: _title(rng.choice(_SLAVIC_STEMS) + rng.choice(_SLAVIC_TAILS)),
        lambda: _title(rng.choice(_ROMANCE_STEMS) + rng.choice(_ROMANCE_TAILS)),
        lambda: _title(rng.choice(_GERMANIC_STEMS) + rng.choice(_GERMANIC_TAILS)),
        lambda: _title(_syllables(rng)),
        lambda: _title(_syllables(rng)),
        lambda: _title(_syllables(rng)),
    ]
    names: dict[str, str] = {}
    attempts = 0
    while len(names) < count and attempts < count * 20:
        attempts += 1
        name = rng.choice(makers)()
        key = normalise_name(name)
        if 3 <= len(key) <= 16 and key not in names:
            names[key] = name
    return list(names.values())


def _syllables(rng: Random) -> str:
    parts = [rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(rng.choice((2, 2, 2, 3)))]
    return "".join(parts) + rng.choice(_SYLLABLE_TAILS)


def _zipf(names: list[str], exponent: float, offset: float) -> tuple[list[str], list[float]]:
    weights = [1.0 / (rank + offset) ** exponent for rank in range(1, len(names) + 1)]
    return names, list(itertools.accumulate(weights))


@lru_cache(maxsize=1)
def _diverse_pools():
    rng = Random(_POOL_SEED)
    provider = _en_gb()
    british = sorted(provider.last_names, key=lambda n: -provider.last_names[n])
    per_locale = [
        _locale_names(loc, ("last_names", "last_names_male", "last_names_female"))
        for loc in SURNAME_LOCALES
    ]
    per_locale.append(_SOUTH_ASIAN)
    per_locale.append(_EAST_ASIAN)
    for names in per_locale:
        rng.shuffle(names)
    world = _interleave(per_locale)
    generated = _generated_surnames(rng, _GENERATED_SURNAMES)
    surnames = _dedupe(british + world + generated)
    # Common names first, then the world's names and made-up ones mixed, so the
    # long tail has both.
    head, tail = surnames[: len(british) + 3000], surnames[len(british) + 3000 :]
    rng.shuffle(tail)
    surname_pool = _zipf(head + tail, exponent=1.0, offset=30.0)

    forename_pools = []
    for sex in ("male", "female"):
        british_first = list(getattr(provider, f"first_names_{sex}"))
        others = [_locale_names(loc, (f"first_names_{sex}",)) for loc in FORENAME_LOCALES]
        for names in others:
            rng.shuffle(names)
        names = _dedupe(british_first + _interleave(others))
        forename_pools.append(_zipf(names, exponent=1.0, offset=20.0))
    return tuple(forename_pools), surname_pool


def diverse_population(n: int, seed: int = 0) -> Iterator[Name]:
    """`n` names with a realistic spread: tens of thousands of surnames, Zipf-like.

    Surnames: Faker en_GB's by weight first, then those of about 40 Latin-script
    Faker locales and of South and East Asian families, then made-up but
    plausible ones (English place names, Mc/Mac and O', Slavic, Romance,
    Germanic, syllabic), with 1% double-barrelled. Forenames from the same
    locales, British ones most common.
    """
    forenames, surnames = _diverse_pools()
    yield from _draw(n, Random(seed), forenames, surnames, double_barrelled=DOUBLE_BARRELLED_RATE)


# --------------------------------------------------------------------------- misspelling

_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS: dict[str, str] = {}
for _r, _row in enumerate(_KEYBOARD_ROWS):
    for _c, _ch in enumerate(_row):
        near = [_row[j] for j in (_c - 1, _c + 1) if 0 <= j < len(_row)]
        for _other in (_r - 1, _r + 1):
            if 0 <= _other < len(_KEYBOARD_ROWS):
                near += [
                    _KEYBOARD_ROWS[_other][j]
                    for j in (_c - 1, _c, _c + 1)
                    if 0 <= j < len(_KEYBOARD_ROWS[_other])
                ]
        _NEIGHBOURS[_ch] = "".join(near)

# Spellings heard the same on the phone, each way round.
_SOUND_ALIKES = (
    ("ph", "f"), ("ck", "k"), ("c", "k"), ("y", "i"), ("ie", "y"), ("ey", "y"), ("ou", "ow"),
    ("ee", "ea"), ("ai", "ay"), ("s", "z"), ("th", "t"), ("er", "a"), ("or", "our"),
    ("ei", "ie"), ("ae", "e"), ("mps", "ms"), ("sh", "sch"), ("x", "ks"), ("wh", "w"),
    ("son", "sen"), ("man", "mann"), ("ine", "yn"), ("an", "en"), ("ll", "l"), ("tt", "t"),
    ("ss", "s"), ("nn", "n"), ("rr", "r"), ("mm", "m"), ("ff", "f"), ("dd", "d"), ("gh", "g"),
    ("aw", "or"), ("ew", "u"), ("oa", "o"), ("qu", "kw"), ("j", "g"), ("v", "f"), ("i", "e"),
    ("a", "e"), ("o", "a"), ("u", "o"), ("e", "a"),
)  # fmt: skip
_VOWEL_SET = "aeiou"


def _letters(name: str) -> list[int]:
    return [i for i, ch in enumerate(name) if ch.isalpha()]


def _pick_position(positions: list[int], rng: Random) -> int:
    # The first letter is heard wrong less often than the rest.
    if len(positions) > 1 and rng.random() < 0.8:
        return rng.choice(positions[1:])
    return rng.choice(positions)


def _keep_case(original: str, replacement: str) -> str:
    return replacement.upper() if original.isupper() else replacement


def _substitute_near(name: str, rng: Random) -> str:
    i = _pick_position(_letters(name), rng)
    ch = name[i].lower()
    options = _NEIGHBOURS.get(ch) or "aeiou"
    return name[:i] + _keep_case(name[i], rng.choice(options)) + name[i + 1 :]


def _substitute_vowel(name: str, rng: Random) -> str:
    positions = [i for i in _letters(name) if name[i].lower() in _VOWEL_SET + "y"]
    if not positions:
        return _substitute_near(name, rng)
    i = _pick_position(positions, rng)
    choice = rng.choice([v for v in _VOWEL_SET + "y" if v != name[i].lower()])
    return name[:i] + _keep_case(name[i], choice) + name[i + 1 :]


def _sound_alike(name: str, rng: Random) -> str:
    lower = name.lower()
    options = []
    for a, b in _SOUND_ALIKES:
        for old, new in ((a, b), (b, a)):
            start = lower.find(old, 1 if len(lower) > 3 else 0)
            while start != -1:
                options.append((start, old, new))
                start = lower.find(old, start + 1)
    if not options:
        return _substitute_vowel(name, rng)
    start, old, new = rng.choice(options)
    return name[:start] + new + name[start + len(old) :]


def _delete(name: str, rng: Random) -> str:
    letters = _letters(name)
    if len(letters) < 3:
        return _insert(name, rng)
    i = _pick_position(letters, rng)
    return name[:i] + name[i + 1 :]


def _insert(name: str, rng: Random) -> str:
    i = _pick_position(_letters(name), rng)
    ch = name[i].lower()
    extra = rng.choice([ch, *(_NEIGHBOURS.get(ch) or "e")])
    return name[: i + 1] + extra + name[i + 1 :]


def _transpose(name: str, rng: Random) -> str:
    pairs = [
        i for i in range(len(name) - 1)
        if name[i].isalpha() and name[i + 1].isalpha() and name[i].lower() != name[i + 1].lower()
    ]  # fmt: skip
    if not pairs:
        return _delete(name, rng)
    i = _pick_position(pairs, rng)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def _double_single(name: str, rng: Random) -> str:
    lower = name.lower()
    doubles = [i for i in range(len(lower) - 1) if lower[i] == lower[i + 1] and lower[i].isalpha()]
    if doubles and rng.random() < 0.6:
        i = rng.choice(doubles)
        return name[:i] + name[i + 1 :]
    i = _pick_position(_letters(name), rng)
    return name[: i + 1] + name[i].lower() + name[i + 1 :]


def _prefix_or_spacing(name: str, rng: Random) -> str:
    lower = name.lower()
    if lower.startswith("mac"):
        return rng.choice(("Mc", "M'", "Mac ")) + name[3:]
    if lower.startswith("mc"):
        return rng.choice(("Mac", "Mc ", "M'")) + name[2:]
    if lower.startswith("o'") or lower.startswith("o’"):
        return rng.choice(("O", "O ", "o")) + name[2:]
    if "-" in name:
        return name.replace("-", rng.choice((" ", "", " - ")))
    if " " in name:
        return name.replace(" ", rng.choice(("", "-")))
    if "'" in name:
        return name.replace("'", rng.choice(("", " ")))
    return _sound_alike(name, rng)


def _change_case(name: str, rng: Random) -> str:
    return rng.choice((name.lower(), name.upper(), name.swapcase()))


def _nickname(name: str, rng: Random) -> str:
    key = normalise_name(name)
    variants = sorted({n for g in FORENAME_GROUPS if key in g for n in g} - {key})
    if not variants:
        return _sound_alike(name, rng)
    return _title(rng.choice(variants))


_MISTAKES = (
    (_substitute_near, 14),
    (_substitute_vowel, 14),
    (_sound_alike, 20),
    (_delete, 14),
    (_insert, 10),
    (_transpose, 12),
    (_double_single, 10),
    (_prefix_or_spacing, 4),
    (_change_case, 2),
)
_FORENAME_MISTAKES = (*_MISTAKES, (_nickname, 15))


def misspell(name: str, rng: Random, *, forename: bool = False) -> str:
    """`name` with one mistake of the kind made typing a name heard on the phone.

    A letter replaced by its neighbour on the keyboard or by another vowel, a
    sound-alike spelling (ph/f, ck/k, y/i, ie/y, ou/ow, son/sen...), a letter
    dropped or added, two letters swapped, a double letter made single or the
    reverse, Mc/Mac/O' or hyphen and space changes, case; and for forenames a
    nickname or variant ("William" -> "Bill"). The result always differs.
    """
    table = _FORENAME_MISTAKES if forename else _MISTAKES
    mistakes = [m for m, _ in table]
    weights = [w for _, w in table]
    for _ in range(20):
        changed = rng.choices(mistakes, weights=weights, k=1)[0](name, rng)
        if changed != name and normalise_name(changed):
            return changed
    return name + rng.choice("aeiou")

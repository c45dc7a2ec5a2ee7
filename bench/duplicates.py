"""Precision and recall of the network's duplicate check on generated names.

    python -m bench.duplicates [--people 10000] [--seed 7] [--json docs/duplicate-check.json]

Half of the records are registered at partner A; the other half at partner B, of which half
are people of A registered again (the true duplicates), written as staff really write a name
taken down a second time: accents dropped, upper case, surname first, a middle name or
second surname left out, another transliteration (Cyrillic, French or German spelling of a
Ukrainian name, the many Latin spellings of an Arabic one), a typo, the day and month of the
birth date swapped; the contacts given again or not, in another format. The others at B are
new people drawn from the same distributions (`network.national.demo_distributions`): some share a
name and, by chance, a birth date with someone at A, which no check can tell apart.

Each of B's records is flagged or not against A's fingerprints, as the database function
does; precision = flagged duplicates / flagged, recall = flagged duplicates / duplicates.
Four normalisations are compared, the last one is what the app uses (tenants.transfers).
"""
import argparse
import json
import random
import unicodedata
from datetime import date, timedelta

from network.national.demo_distributions import COUNTRIES, NAMES_BY_ORIGIN
from tenants.transfers import fingerprints as fp

SECRET = "bench-only"
# Other spellings staff meet for the same person (transliterations and usual variants).
SPELLINGS = {
    "Shevchenko": ("Chevtchenko", "Schewtschenko", "Шевченко"), "Kovalenko": ("Kowalenko", "Коваленко"),
    "Bondarenko": ("Бондаренко", "Bondarenco"), "Tkachenko": ("Tkatchenko", "Ткаченко"),
    "Melnyk": ("Melnik", "Мельник"), "Moroz": ("Мороз",), "Olena": ("Olena", "Олена", "Elena"),
    "Iryna": ("Irina", "Ірина"), "Nataliia": ("Natalia", "Nataliya", "Наталія"), "Oksana": ("Оксана",),
    "Yulia": ("Iulia", "Julia", "Юлія"), "Svitlana": ("Svetlana", "Світлана"), "Andrii": ("Andriy", "Андрій"),
    "Oleksandr": ("Aleksandr", "Олександр"), "Dmytro": ("Dmitro", "Dmitry", "Дмитро"),
    "Serhii": ("Serhiy", "Sergii", "Сергій"), "Ivan": ("Іван",), "Bogdan": ("Bohdan", "Богдан"),
    "Mohammed": ("Mohamed", "Muhammad", "Mohammad"), "Ahmad": ("Ahmed",), "Yusuf": ("Youssef", "Yousef"),
    "Omar": ("Umar",), "Maryam": ("Mariam", "Meryem"), "Zahra": ("Zahrah",), "Al-Hassan": ("Al Hassan", "El-Hassan"),
    "Hashimi": ("Hachimi",), "Karimi": ("Karimy",), "Haddad": ("Hadad",), "Bashir": ("Bachir", "Basheer"),
    "Hossain": ("Hussain", "Hosain"), "Chowdhury": ("Choudhury", "Chaudhry"), "Rahman": ("Rehman",),
    "Gurpreet": ("Gurprit",), "Shrestha": ("Sresta",), "Thiago": ("Tiago",), "Thaís": ("Tais",),
    "Djaló": ("Jaló", "Djalo"), "Embaló": ("Embalo",), "Bubacar": ("Boubacar",), "Mamadu": ("Mamadou",),
}


def _origin_names(rng):
    origins = list(COUNTRIES)
    country = rng.choices(origins, weights=[COUNTRIES[c][0] for c in origins])[0]
    return next(names for codes, names in NAMES_BY_ORIGIN.items() if country in codes)


def draw_person(rng, number):
    female, male, surnames = _origin_names(rng)
    words = [rng.choice(female if rng.random() < 0.5 else male)]
    # Portuguese-speaking origins carry two surnames more often than not.
    words += rng.sample(surnames, 2 if rng.random() < 0.55 else 1)
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(46 * 365))
    phone = f"9{rng.randrange(10**8):08d}" if rng.random() < 0.8 else None
    email = f"{words[0].lower().replace(' ', '')}.{number}@example.org" if rng.random() < 0.6 else None
    return {"full_name": " ".join(words), "date_of_birth": born, "phone": phone, "email": email}


def _strip_accents(text):
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _typo(rng, name):
    position = rng.randrange(len(name))
    return name[:position] + rng.choice("aeiourstn") + name[position + 1:]


def _respell(rng, name):
    words = name.split()
    known = [i for i, word in enumerate(words) if word in SPELLINGS]
    if not known:
        return _strip_accents(name)
    i = rng.choice(known)
    words[i] = rng.choice(SPELLINGS[words[i]])
    return " ".join(words)


def _shorten(name):
    words = name.split()
    return " ".join((words[0], words[-1])) if len(words) > 2 else name


def _surname_first(name):
    words = name.split()
    return " ".join(words[1:] + words[:1])


NAME_VARIANTS = ((0.40, _strip_accents), (0.15, str.upper), (0.15, _surname_first), (0.20, _shorten),
                 (0.25, _respell))


def variant(rng, person):
    """The same person written down again by another partner's staff."""
    again = dict(person)
    name = person["full_name"]
    for share, change in NAME_VARIANTS:
        if rng.random() < share:
            name = change(rng, name) if change in (_respell,) else change(name)
    if rng.random() < 0.05:
        name = _typo(rng, name)
    again["full_name"] = name
    born = person["date_of_birth"]
    if rng.random() < 0.03 and born.day <= 12 and born.day != born.month:
        again["date_of_birth"] = born.replace(day=born.month, month=born.day)
    if person["phone"] and rng.random() < 0.5:
        again["phone"] = rng.choice((f"+351 {person['phone'][:3]} {person['phone'][3:6]} {person['phone'][6:]}",
                                     person["phone"], f"00351{person['phone']}"))
    else:
        again["phone"] = None
    again["email"] = person["email"].upper() if person["email"] and rng.random() < 0.4 else None
    return again


# --- the normalisations compared -------------------------------------------------------

def _plain(person):
    """Baseline: lowercased name as written, with the date of birth."""
    return {"name": person["full_name"].casefold().strip() + "|" + person["date_of_birth"].isoformat()}


def _accents_and_order(person):
    words = sorted(_strip_accents(person["full_name"]).casefold().replace(",", " ").split())
    return {"name": " ".join(words) + "|" + person["date_of_birth"].isoformat()}


def _full_without_ends(person):
    values = fp.normalised_values(person["full_name"], person["date_of_birth"])
    values.pop(fp.NAME_ENDS, None)
    return values


def _full(person):
    return fp.normalised_values(person["full_name"], person["date_of_birth"])


def _full_with_contacts(person):
    return fp.normalised_values(**person)


NORMALISATIONS = {
    "lowercase only": _plain,
    "+ accents, word order": _accents_and_order,
    "+ transliteration, particles": _full_without_ends,
    "+ first-and-last key (the app's, names only)": _full,
    "the app's, names and contacts": _full_with_contacts,
}


def _keys(normalise, person):
    # The same hashing as the app: the name keys share one domain.
    return {fp.fingerprint(SECRET, "mentee", kind if kind in fp.KINDS else fp.NAME_ALL, value)
            for kind, value in normalise(person).items()}


def measure(people_a, people_b, is_duplicate):
    results = {}
    for label, normalise in NORMALISATIONS.items():
        known = set().union(*(_keys(normalise, person) for person in people_a))
        flagged = [bool(_keys(normalise, person) & known) for person in people_b]
        true_positive = sum(f and d for f, d in zip(flagged, is_duplicate, strict=True))
        false_positive = sum(f and not d for f, d in zip(flagged, is_duplicate, strict=True))
        duplicates = sum(is_duplicate)
        results[label] = {
            "flagged": sum(flagged), "true_positives": true_positive, "false_positives": false_positive,
            "precision": round(true_positive / max(1, true_positive + false_positive), 4),
            "recall": round(true_positive / max(1, duplicates), 4),
        }
    return results


def run(people=10_000, seed=7):
    rng = random.Random(seed)
    half = people // 2
    people_a = [draw_person(rng, number) for number in range(half)]
    again = rng.sample(people_a, half // 2)
    people_b = [variant(rng, person) for person in again]
    people_b += [draw_person(rng, half + number) for number in range(half - len(again))]
    is_duplicate = [True] * len(again) + [False] * (half - len(again))
    return {"people": people, "seed": seed, "duplicates": len(again), "results": measure(people_a, people_b,
                                                                                         is_duplicate)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    report = run(args.people, args.seed)
    print(f"{report['people']} records, {report['duplicates']} true duplicates (seed {report['seed']})")
    print(f"{'normalisation':48} {'flagged':>8} {'false +':>8} {'precision':>10} {'recall':>8}")
    for label, row in report["results"].items():
        print(f"{label:48} {row['flagged']:8} {row['false_positives']:8} {row['precision']:10.4f} "
              f"{row['recall']:8.4f}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(report, out, indent=2, ensure_ascii=False)
            out.write("\n")


if __name__ == "__main__":
    main()

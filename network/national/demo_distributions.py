"""The shape of the programme, in one place: its sizes and how partners, people and processes
are distributed. The demo network (`flask seed-demo`, through the services) and the benchmark's
generator (`bench.generate`, with COPY) both draw from here, so the demo looks like the network
the benchmarks measure."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    tenants: int
    mentors: int
    mentees: int
    processes: int
    meetings: int
    # One more partner, for the matching benchmark: this many mentors, every one a candidate.
    matching_mentors: int = 10_000


# `small` is the real programme today; the others are 100x and 1000x its processes.
SIZES = {
    "small": Size(tenants=56, mentors=622, mentees=255, processes=240, meetings=1_200),
    "national": Size(tenants=300, mentors=24_000, mentees=36_000, processes=100_000, meetings=500_000),
    "europe": Size(tenants=10_000, mentors=250_000, mentees=350_000, processes=1_000_000, meetings=5_000_000),
}

# Where migrants live: most partners are in Lisbon, Setúbal, Porto and the Algarve.
DISTRICT_WEIGHTS = {
    "lisboa": 30, "setubal": 10, "porto": 12, "faro": 10, "braga": 5, "leiria": 4, "coimbra": 4, "aveiro": 4,
    "santarem": 3, "beja": 3, "evora": 2, "viseu": 2, "castelo_branco": 1, "guarda": 1, "braganca": 1,
    "vila_real": 1, "viana_do_castelo": 1, "portalegre": 1, "acores": 2, "madeira": 2,
}
MUNICIPALITIES = {
    "lisboa": ("Lisboa", "Amadora", "Sintra", "Loures", "Odivelas", "Cascais", "Oeiras"),
    "setubal": ("Setúbal", "Almada", "Seixal", "Barreiro", "Odemira"),
    "porto": ("Porto", "Vila Nova de Gaia", "Matosinhos", "Gondomar", "Maia"),
    "faro": ("Faro", "Albufeira", "Loulé", "Portimão"),
    "braga": ("Braga", "Guimarães"), "leiria": ("Leiria", "Marinha Grande"), "coimbra": ("Coimbra",),
    "aveiro": ("Aveiro", "Ílhavo"), "santarem": ("Santarém",), "beja": ("Beja", "Odemira"), "evora": ("Évora",),
    "viseu": ("Viseu",), "castelo_branco": ("Fundão", "Castelo Branco"), "guarda": ("Guarda",),
    "braganca": ("Bragança",), "vila_real": ("Vila Real",), "viana_do_castelo": ("Viana do Castelo",),
    "portalegre": ("Portalegre",), "acores": ("Ponta Delgada",), "madeira": ("Funchal",),
}
KIND_WEIGHTS = {"municipality": 40, "ngo": 35, "immigrant_association": 25}
# Country of origin -> the mentee's own language (Portuguese speakers get "pt" as native).
COUNTRIES = {
    "BR": (30, "pt"), "AO": (6, "pt"), "CV": (6, "kea"), "GW": (4, "pt"), "ST": (3, "pt"), "MZ": (2, "pt"),
    "IN": (6, "hi"), "NP": (5, "ne"), "BD": (4, "bn"), "PK": (3, "ur"), "UA": (6, "uk"), "GB": (2, "en"),
    "CN": (2, "zh"), "SN": (2, "wo"), "MA": (2, "ar"), "SY": (2, "ar"), "AF": (2, "fa"), "VE": (3, "es"),
    "CO": (2, "es"), "RU": (1, "ru"), "TR": (1, "tr"), "RO": (1, "ro"), "ER": (1, "ti"), "SO": (1, "so"),
}
SUPPORT_AREA_WEIGHTS = {
    "qualification_job_search": 30, "portuguese_language": 20, "legal_documentation": 15, "housing": 10,
    "education": 8, "digital_skills": 6, "entrepreneurship": 5, "health": 3, "parenting": 2,
    "citizenship_participation": 3,
}
AGE_BANDS = {"18_24": 15, "25_34": 35, "35_44": 27, "45_54": 14, "55_64": 6, "65_plus": 3}
GENDERS = {"female": 52, "male": 46, "other": 1, "not_disclosed": 1}
RESIDENCE = {"residence_permit": 35, "application_pending": 25, "eu_citizen": 5, "international_protection": 8,
             "asylum_seeker": 5, "temporary_protection": 10, "visa": 8, "other": 2, "not_disclosed": 2}
MIGRATION_REASONS = {"work": 45, "family": 20, "study": 10, "protection": 20, "other": 3, "not_disclosed": 2}
EMPLOYMENT = {"unemployed": 45, "employed": 30, "self_employed": 5, "student": 8, "not_looking": 5, "other": 7}
REFERRALS = {"social_services": 25, "employment_centre": 15, "association": 20, "word_of_mouth": 20,
             "information_session": 10, "school": 4, "health_service": 3, "company": 2, "other": 1}
PROFESSIONAL_AREAS = ("Gestão", "Engenharia", "Saúde", "Educação", "Direito", "Informática", "Hotelaria",
                      "Comércio", "Administração pública", "Construção", "Serviço social", "Finanças")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PERIODS = ("morning", "afternoon", "evening")
# The last process of a mentee (the earlier ones have ended).
LAST_STATE = {"matched": 10, "agreement_signed": 8, "active": 30, "in_evaluation": 6, "closed": 36, "cancelled": 10}
EARLIER_STATE = {"closed": 80, "cancelled": 20}
# How long a process in each state has lasted, in days (from its match to today or its end).
PROCESS_DAYS = {"matched": (1, 25), "agreement_signed": (15, 50), "active": (40, 270), "in_evaluation": (150, 320),
                "closed": (120, 330), "cancelled": (10, 150)}
OUTCOMES = {"goals_met": 55, "partly_met": 25, "not_met": 10, "redefined": 10}
CADENCES = {"monthly": 70, "bimonthly": 20, "quarterly": 10}
CADENCE_MONTHS = {"monthly": 1, "bimonthly": 2, "quarterly": 3}
FREQUENCIES = {"weekly": 55, "fortnightly": 35, "monthly": 10}
FREQUENCY_DAYS = {"weekly": 7, "fortnightly": 14, "monthly": 31}
# How much of the mean meetings per process each state gets (scaled to the size's total).
MEETING_SHARE = {"matched": 0, "agreement_signed": 0.2, "active": 1.2, "in_evaluation": 1.6, "closed": 1.6,
                 "cancelled": 0.4}
GOALS = (("need", "Encontrar trabalho na minha área"), ("challenge", "Melhorar o português para o nível B1"),
         ("wish", "Tratar da autorização de residência"), ("dream", "Abrir o meu próprio negócio"),
         ("need", "Encontrar casa com contrato"), ("challenge", "Inscrever os filhos na escola"))
CHANGES = ("employment_found", "course_enrolled", "language_level_up", "housing_found", "documents_regularised",
           "business_started", "services_accessed", "network_grown")
CANCEL_REASONS = ("O mentorando mudou de cidade.", "Indisponibilidade do mentor.", "Desistência do mentorando.")


# Names of the mentees, by country of origin (fictional people; common given names and surnames).
NAMES_BY_ORIGIN = {
    ("BR",): (("Ana Clara", "Juliana", "Fernanda", "Camila", "Larissa", "Thaís"),
              ("Rafael", "Gustavo", "Lucas", "Thiago", "Felipe", "Bruno"),
              ("Souza", "Lima", "Carvalho", "Araújo", "Barbosa", "Nascimento", "Rocha", "Cavalcanti")),
    ("AO", "GW", "ST", "MZ"): (("Esperança", "Luzia", "Domingas", "Teresa", "Isabel", "Celeste"),
                               ("Domingos", "Adelino", "Mamadu", "Bubacar", "Armindo", "Celestino"),
                               ("Baldé", "Embaló", "Djaló", "Neto", "Mendes", "Cassoma", "Mussa", "Sanhá")),
    ("CV",): (("Nilsa", "Djamila", "Edna", "Filomena", "Zenaida", "Ivone"),
              ("Adilson", "Edmilson", "Nelson", "Ailton", "Josimar", "Kevin"),
              ("Tavares", "Semedo", "Varela", "Fortes", "Monteiro", "Lopes", "Brito", "Furtado")),
    ("IN", "PK"): (("Priya", "Anjali", "Harpreet", "Sunita", "Ayesha", "Fatima"),
                   ("Rahul", "Gurpreet", "Amit", "Imran", "Vikram", "Sandeep"),
                   ("Sharma", "Singh", "Kaur", "Patel", "Khan", "Gupta", "Ahmed", "Kumar")),
    ("NP",): (("Sita", "Sabina", "Anita", "Puja", "Kabita", "Sarita"),
              ("Bishal", "Ramesh", "Suman", "Prakash", "Dipak", "Kiran"),
              ("Gurung", "Thapa", "Shrestha", "Tamang", "Rai", "Magar", "Karki", "Adhikari")),
    ("BD",): (("Nusrat", "Sharmin", "Taslima", "Rumana", "Farzana", "Shirin"),
              ("Rahim", "Shahidul", "Mizanur", "Arif", "Habib", "Jahid"),
              ("Hossain", "Rahman", "Islam", "Uddin", "Miah", "Chowdhury", "Akter", "Alam")),
    ("UA", "RU", "RO"): (("Olena", "Iryna", "Nataliia", "Oksana", "Yulia", "Svitlana"),
                         ("Andrii", "Oleksandr", "Dmytro", "Serhii", "Ivan", "Bogdan"),
                         ("Kovalenko", "Shevchenko", "Bondarenko", "Melnyk", "Popescu", "Tkachenko", "Ionescu",
                          "Moroz")),
    ("SY", "MA", "AF", "SO", "ER", "TR"): (("Amal", "Rania", "Fatima", "Zahra", "Maryam", "Hodan"),
                                           ("Mohammed", "Omar", "Ahmad", "Bashir", "Yusuf", "Tesfay"),
                                           ("Al-Hassan", "Haddad", "Ahmadi", "Karimi", "El Amrani", "Hashimi",
                                            "Warsame", "Yilmaz")),
    ("VE", "CO"): (("María José", "Daniela", "Valentina", "Carolina", "Andrea", "Gabriela"),
                   ("José Luis", "Andrés", "Carlos", "Luis", "Miguel Ángel", "Santiago"),
                   ("González", "Rodríguez", "Pérez", "Hernández", "Martínez", "Ramírez", "Díaz", "Torres")),
    ("GB", "CN", "SN"): (("Emma", "Mei", "Aminata", "Chloe", "Li Na", "Fatou"),
                         ("James", "Wei", "Moussa", "Oliver", "Jun", "Ousmane"),
                         ("Smith", "Wang", "Diop", "Taylor", "Chen", "Ndiaye", "Brown", "Sow")),
}


def chooser(rng, weights):
    """A function drawing one key of `weights` at random, in proportion to its weight."""
    values, cumulative, total = [], [], 0
    for value, weight in weights.items():
        total += weight
        values.append(value)
        cumulative.append(total)
    return lambda: rng.choices(values, cum_weights=cumulative)[0]


def partner_shares(rng, count, shuffle=True):
    """Each partner's share of the people and processes: a long tail, a few large partners
    (the big municipalities) and many small ones (associations); in random order, or largest
    first for partners listed largest first (the demo's)."""
    weights = [1 / (rank + 1) ** 0.7 for rank in range(count)]
    if shuffle:
        rng.shuffle(weights)
    total = sum(weights)
    return [weight / total for weight in weights]


"""The demo network: the national coordination team and 56 partners across Portugal, with the
programme's people spread over them as in the real network (a few large partners, many small)."""
import random
from datetime import date

from network.core.accounts import services as accounts
from network.core.accounts.models import User, hash_password
from network.core.extensions import db
from network.core.reference.models import Company
from network.core.reference.services import create_company
from network.core.tenancy import tenant_context
from network.core.tenancy.models import Tenant
from network.national.demo_activities import seed_network_activities
from network.national.demo_distributions import MUNICIPALITIES, SIZES, partner_shares
from network.national.demo_people import portal_accounts, portal_logins, seed_people

COORDINATION = ("Coordenação Nacional do Programa de Mentores para Migrantes", "coordenacao", "coordination", "lisboa")

# (name, slug, kind, district): real municipalities, plausible NGOs and associations.
PARTNERS = [
    ("Câmara Municipal de Lisboa", "cm-lisboa", "municipality", "lisboa"),
    ("Câmara Municipal do Porto", "cm-porto", "municipality", "porto"),
    ("Câmara Municipal da Amadora", "cm-amadora", "municipality", "lisboa"),
    ("Câmara Municipal de Sintra", "cm-sintra", "municipality", "lisboa"),
    ("Câmara Municipal de Loures", "cm-loures", "municipality", "lisboa"),
    ("Câmara Municipal de Odivelas", "cm-odivelas", "municipality", "lisboa"),
    ("Câmara Municipal de Cascais", "cm-cascais", "municipality", "lisboa"),
    ("Câmara Municipal de Oeiras", "cm-oeiras", "municipality", "lisboa"),
    ("Câmara Municipal de Almada", "cm-almada", "municipality", "setubal"),
    ("Câmara Municipal do Seixal", "cm-seixal", "municipality", "setubal"),
    ("Câmara Municipal de Setúbal", "cm-setubal", "municipality", "setubal"),
    ("Câmara Municipal de Braga", "cm-braga", "municipality", "braga"),
    ("Câmara Municipal de Guimarães", "cm-guimaraes", "municipality", "braga"),
    ("Câmara Municipal de Coimbra", "cm-coimbra", "municipality", "coimbra"),
    ("Câmara Municipal de Leiria", "cm-leiria", "municipality", "leiria"),
    ("Câmara Municipal de Aveiro", "cm-aveiro", "municipality", "aveiro"),
    ("Câmara Municipal de Viseu", "cm-viseu", "municipality", "viseu"),
    ("Câmara Municipal de Faro", "cm-faro", "municipality", "faro"),
    ("Câmara Municipal de Loulé", "cm-loule", "municipality", "faro"),
    ("Câmara Municipal de Albufeira", "cm-albufeira", "municipality", "faro"),
    ("Câmara Municipal de Portimão", "cm-portimao", "municipality", "faro"),
    ("Câmara Municipal de Odemira", "cm-odemira", "municipality", "beja"),
    ("Câmara Municipal de Beja", "cm-beja", "municipality", "beja"),
    ("Câmara Municipal de Évora", "cm-evora", "municipality", "evora"),
    ("Câmara Municipal de Santarém", "cm-santarem", "municipality", "santarem"),
    ("Câmara Municipal do Fundão", "cm-fundao", "municipality", "castelo_branco"),
    ("Câmara Municipal de Bragança", "cm-braganca", "municipality", "braganca"),
    ("Câmara Municipal do Funchal", "cm-funchal", "municipality", "madeira"),
    ("Câmara Municipal de Ponta Delgada", "cm-ponta-delgada", "municipality", "acores"),
    ("Câmara Municipal de Viana do Castelo", "cm-viana-do-castelo", "municipality", "viana_do_castelo"),
    ("Associação Caminhos de Integração", "caminhos-integracao", "ngo", "lisboa"),
    ("Associação Ponte Solidária", "ponte-solidaria", "ngo", "porto"),
    ("Cooperativa Horizontes Partilhados", "horizontes-partilhados", "ngo", "lisboa"),
    ("Associação Novos Vizinhos", "novos-vizinhos", "ngo", "setubal"),
    ("Centro Social Mãos Dadas", "maos-dadas", "ngo", "braga"),
    ("Associação Terra de Acolhimento", "terra-acolhimento", "ngo", "coimbra"),
    ("Fundação Raízes e Futuro", "raizes-futuro", "ngo", "porto"),
    ("Associação Rumo Comum", "rumo-comum", "ngo", "faro"),
    ("Associação Portas Abertas do Alentejo", "portas-abertas-alentejo", "ngo", "evora"),
    ("Centro Comunitário Encontros", "centro-encontros", "ngo", "leiria"),
    ("Associação Vez e Voz", "vez-e-voz", "ngo", "santarem"),
    ("Associação Ilhas de Acolhimento", "ilhas-acolhimento", "ngo", "acores"),
    ("Associação Guarda Acolhe", "guarda-acolhe", "ngo", "guarda"),
    ("Associação Trás-os-Montes Solidário", "tras-os-montes-solidario", "ngo", "vila_real"),
    ("Associação Serra e Mar", "serra-e-mar", "ngo", "portalegre"),
    ("Associação Cabo-Verdiana da Amadora", "cabo-verdiana-amadora", "immigrant_association", "lisboa"),
    ("Associação de Imigrantes Ucranianos do Porto", "ucranianos-porto", "immigrant_association", "porto"),
    ("Associação Luso-Brasileira de Braga", "luso-brasileira-braga", "immigrant_association", "braga"),
    ("Associação Guineense de Solidariedade Social", "guineense-solidariedade", "immigrant_association", "lisboa"),
    ("Associação de Imigrantes do Nepal em Portugal", "nepal-portugal", "immigrant_association", "lisboa"),
    ("Associação Comunidade Indiana de Odemira", "indiana-odemira", "immigrant_association", "beja"),
    ("Associação Santomense de Setúbal", "santomense-setubal", "immigrant_association", "setubal"),
    ("Associação Angolana de Coimbra", "angolana-coimbra", "immigrant_association", "coimbra"),
    ("Associação Moldava do Algarve", "moldava-algarve", "immigrant_association", "faro"),
    ("Associação de Refugiados Sírios em Portugal", "refugiados-sirios", "immigrant_association", "lisboa"),
    ("Associação Bengali de Lisboa", "bengali-lisboa", "immigrant_association", "lisboa"),
]

FIRST_NAMES = ["Ana", "João", "Maria", "Pedro", "Inês", "Rui", "Sofia", "Tiago", "Catarina", "Miguel",
               "Beatriz", "Nuno", "Marta", "Hugo", "Joana", "Luís", "Rita", "Carlos", "Filipa", "André"]
SURNAMES = ["Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins",
            "Sousa", "Fernandes", "Gonçalves", "Gomes", "Lopes", "Marques", "Almeida", "Ribeiro"]

DEMO_SEED = 2026
# Fictional corporate partners whose employees volunteer as mentors.
COMPANIES = ("Atlântico Seguros, S.A.", "Tejo Digital, Lda.", "Construções Ribeiro & Filhos, S.A.",
             "Banco Lusitano de Investimento", "Hotéis Costa Azul, S.A.", "Farmácias Saúde Mais",
             "Logística Norte Sul, Lda.", "EnergiaVerde Portugal, S.A.", "Supermercados Bom Dia",
             "Consultores Alfama, Lda.")
STAFF_PER_PARTNER = (("partner_admin", "admin"), ("staff", "tecnico1"), ("staff", "tecnico2"))


def _person_name(index):
    return f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {SURNAMES[(index * 7) % len(SURNAMES)]}"


def _get_or_create_tenant(name, slug, kind, district):
    tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        tenant = Tenant(name=name, slug=slug, kind=kind, district=district, default_locale="pt_PT")
        db.session.add(tenant)
        db.session.flush()
    return tenant


def _get_or_create_user(email, name, password_hash):
    user = accounts.find_user_by_email(email)
    if user is None:
        user = User(email=email, name=name, password_hash=password_hash, preferred_locale=None)
        db.session.add(user)
        db.session.flush()
    return user


def _get_or_create_company(name):
    company = db.session.scalar(db.select(Company).where(Company.name == name))
    return (company or create_company(name)).id


def apportion(total, shares):
    """Whole numbers in proportion to `shares` that add up to `total` (largest remainders)."""
    exact = [total * share for share in shares]
    counts = [int(value) for value in exact]
    by_remainder = sorted(range(len(shares)), key=lambda index: exact[index] - counts[index], reverse=True)
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return counts


def seed_demo_network(password, progress, seed=DEMO_SEED, size="small", today=None):
    """Create what is missing of the demo network; returns (the demo logins to print, whether
    anything was created). `size` names one of the programme's sizes
    (`network.national.demo_distributions.SIZES`): its mentors and mentees are spread over the
    demo's partners."""
    today = today or date.today()
    # One hash for every demo account: hashing 170 passwords would take seconds for nothing.
    password_hash = hash_password(password)
    coordination = _get_or_create_tenant(*COORDINATION)
    coordinator = _get_or_create_user("coordenacao@demo.rede-mentores.pt", "Helena Vasconcelos", password_hash)
    accounts.grant_membership(coordinator, coordination, "coordinator")
    logins = [("coordinator", coordinator.email, coordination.slug)]

    company_ids = [_get_or_create_company(name) for name in COMPANIES]
    with tenant_context(coordination.id):
        created = seed_network_activities(coordinator, today)
    db.session.commit()
    # PARTNERS lists the large municipalities first and the small associations last.
    shares = partner_shares(random.Random(seed), len(PARTNERS), shuffle=False)
    people = list(zip(apportion(SIZES[size].mentors, shares), apportion(SIZES[size].mentees, shares)))
    ratio = SIZES[size].processes / SIZES[size].mentees  # processes per mentee
    with progress(list(enumerate(PARTNERS)), "Seeding partners") as partners:
        for index, (name, slug, kind, district) in partners:
            tenant = _get_or_create_tenant(name, slug, kind, district)
            for offset, (role, local_part) in enumerate(STAFF_PER_PARTNER):
                email = f"{local_part}@{slug}.demo.rede-mentores.pt"
                user = _get_or_create_user(email, _person_name(index * 3 + offset), password_hash)
                accounts.grant_membership(user, tenant, role)
                if index == 0:
                    logins.append((role, email, slug))
            mentors, mentees = people[index]
            seeded, active = seed_people(tenant, user, MUNICIPALITIES[district], {"mentor": mentors, "mentee": mentees},
                                         seed, company_ids, today, process_ratio=ratio)
            if index == 0:
                if active is not None:
                    portal_accounts(tenant, user, active, password)
                logins += [(role, email, f"{slug}/portal") for role, email in portal_logins(tenant)]
            created |= seeded
            db.session.commit()  # one partner, one transaction
    return logins, created

//! The explainable signals: facts about a report that an editor can check at a glance, each with a
//! stable code, a sentence, and how much it pushes the report towards each lane (in the same
//! log-odds units as the text model, so that "+2 towards spam" means the same everywhere).
//!
//! The weights are set by hand from what each fact means, not fitted: a WhatsApp number is strong
//! evidence of spam, a phone number alone is weak (professionals sign with one), a link to NICE is
//! evidence of a real report. Vocabulary lists cover the languages of the corpus.

use std::sync::LazyLock;

use regex::{Regex, RegexSet, RegexSetBuilder};
use whatlang::{Detector, Lang as WLang, Script};

use super::{Lane, LaneSettings};
use crate::domain::scrub::{ascii_boundaries, Findings};

/// How much a signal pushes towards each lane, indexed by [`Lane::index`].
pub(crate) type Weights = [f32; 6];

fn towards(pairs: &[(Lane, f32)]) -> Weights {
    let mut w = [0.0; 6];
    for (lane, x) in pairs {
        w[lane.index()] += x;
    }
    w
}

pub(crate) struct Signal {
    pub code: &'static str,
    pub text: String,
    pub weights: Weights,
}

/// Everything the signals found in one report.
pub(crate) struct Evidence {
    pub signals: Vec<Signal>,
    /// The text describes an emergency: the reader is shown signposting whatever the lane.
    pub emergency: bool,
    /// Doses, lab values, guideline codes: content an editor may need to check.
    pub clinical: bool,
}

/// What the signals look at: the scrubbed passage and details, and what scrubbing found.
pub(crate) struct Input<'a> {
    pub quote: &'a str,
    pub details: &'a str,
    pub findings: Findings,
    pub article_host: &'a str,
    pub article_lang: Option<&'a str>,
}

pub(crate) fn detect(input: &Input, settings: &LaneSettings) -> Evidence {
    let mut signals = Vec::new();
    let both = format!("{}\n{}", input.quote, input.details);
    links(&both, input, settings, &mut signals);
    contacts(&both, input, &mut signals);
    vocabulary(input.details, &mut signals);
    language(input.details, input.article_lang, &mut signals);
    if input.quote.trim().is_empty() {
        nothing_to_act_on(input.details, &mut signals);
    }
    let emergency = EMERGENCY.is_match(input.details);
    if emergency {
        signals.push(Signal {
            code: "emergency",
            text: "describes an emergency happening now".into(),
            weights: towards(&[
                (Lane::Question, 1.5),
                (Lane::Spam, -1.0),
                (Lane::Noise, -2.0),
            ]),
        });
    }
    if first_person_question(input.details) {
        signals.push(Signal {
            code: "first_person_question",
            text: "asks a question about the writer's own situation".into(),
            weights: towards(&[(Lane::Question, 0.8)]),
        });
    }
    let clinical = CLINICAL.is_match(&both);
    if clinical {
        signals.push(Signal {
            code: "clinical",
            text: "mentions doses, values or guidelines".into(),
            weights: towards(&[(Lane::Queue, 0.6), (Lane::Noise, -1.5)]),
        });
    }
    Evidence {
        signals,
        emergency,
        clinical,
    }
}

// A question (a question mark in any script, or a question particle) written in the first person
// ("I", "my", "me" in the corpus languages): how a reader asks about their own case, whatever the
// words ("ja", "im" and "sono" are left out: German "yes" and "in the", Italian "they are"). A
// report that questions the article ("shouldn't it be 12 hours?") is seldom in the first
// person; one that is ("is this right? I thought…") is protected by the queue margin.
static QUESTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&ascii_boundaries(
        r"[?？؟]|\bczy\b|هل|吗|ですか|でしょうか|ますか",
    ))
    .expect("valid regex")
});

static FIRST_PERSON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&ascii_boundaries(
        r"(?i)\b(i|i'm|i've|ive|i'd|my|me|myself|yo|mi|mis|estoy|tengo|ich|mein|meine|meinen|meinem|meiner|mir|mich|je|j'ai|ma|mon|mes|moi|eu|meu|minha|estou|io|mio|mia|miei|ik|mijn|mij|mój|moja|moje|mnie|mam|jestem|ben|benim|bende|bana)\b|私|僕|我|أنا|عندي|لدي",
    ))
    .expect("valid regex")
});

fn first_person_question(details: &str) -> bool {
    QUESTION.is_match(details) && FIRST_PERSON.is_match(details)
}

// ---------------------------------------------------------------------------------------------
// Links

// Links with a scheme or "www.", bare domains with a known top-level domain ("essaypros.net"),
// and messenger links. The top-level list keeps "e.g." and "0.5" out. ASCII host names only
// (internationalised ones are rare in reports, and ASCII classes keep the matcher fast).
static LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&ascii_boundaries(r"(?i)\b(?:https?://((?:[a-z0-9][a-z0-9\-]{0,62}\.)+[a-z]{2,24})|((?:[a-z0-9][a-z0-9\-]{0,62}\.)+(?:com|org|net|edu|gov|int|info|biz|io|co|me|uk|de|fr|es|it|nl|pt|br|pl|jp|sa|ae|ru|ch|be|eu|us|ca|au|in|mx|ar|ie|online|shop|site|top|xyz|store|app|law|win|bet|casino|loan|click|buzz|live|icu|vip|club|pw|to|ly|gl|gd|cc|link)))\b(?:[/?#][^\s<>\x22]*)?"))
    .expect("valid regex")
});

// A web address written out in words, "mommy-glow-blog dot com": only ever done to dodge filters.
static SPELLED_DOMAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&ascii_boundaries(r"(?i)\b[\p{L}\p{N}\-]{3,}\s*(?:\[dot\]|\(dot\)|\s(?:dot|punto|punkt|point|ponto|punt|kropka)\s)\s*(?:com|net|org|co|shop|info|io|online|site)\b"))
        .expect("valid regex")
});

const SHORTENERS: [&str; 14] = [
    "bit.ly",
    "tinyurl.com",
    "t.co",
    "goo.gl",
    "amzn.to",
    "ow.ly",
    "rb.gy",
    "cutt.ly",
    "is.gd",
    "buff.ly",
    "shorturl.at",
    "tiny.cc",
    "lnkd.in",
    "s.id",
];

const MESSENGER_HOSTS: [&str; 4] = ["wa.me", "t.me", "wa.link", "api.whatsapp.com"];

// Top-level domains that are cheap and favoured by spam campaigns. Not proof, a nudge.
const SPAMMY_TLDS: [&str; 17] = [
    "shop", "store", "top", "xyz", "online", "site", "biz", "win", "bet", "casino", "loan",
    "click", "buzz", "icu", "vip", "club", "pw",
];

/// Whether `host` is `pattern` or, for "*.x" and plain domain patterns, one of its subdomains.
fn host_matches(host: &str, pattern: &str) -> bool {
    let pattern = pattern.trim().trim_start_matches("*.").to_ascii_lowercase();
    !pattern.is_empty()
        && (host == pattern
            || host
                .strip_suffix(pattern.as_str())
                .is_some_and(|rest| rest.ends_with('.')))
}

fn links(text: &str, input: &Input, settings: &LaneSettings, out: &mut Vec<Signal>) {
    let mut external: Vec<String> = Vec::new();
    let mut trusted: Vec<String> = Vec::new();
    let mut own = 0;
    let mut shortened: Vec<String> = Vec::new();
    let mut spammy_tld: Option<String> = None;
    let article_host = input.article_host.to_ascii_lowercase();
    for caps in LINK.captures_iter(text) {
        // With a scheme any top-level domain is a link; without one, only the common ones
        // (so "e.g." or "approx.5" are not).
        let Some(host) = caps.get(1).or_else(|| caps.get(2)) else {
            continue;
        };
        let host = host.as_str().to_ascii_lowercase();
        let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
        if MESSENGER_HOSTS.contains(&host.as_str()) {
            continue; // counted as a contact
        }
        if host_matches(&host, &article_host)
            || settings
                .allowed_hosts
                .iter()
                .any(|p| host_matches(&host, p))
        {
            own += 1;
        } else if settings
            .trusted_sources
            .iter()
            .any(|p| host_matches(&host, p))
        {
            if !trusted.contains(&host) {
                trusted.push(host);
            }
        } else {
            if SHORTENERS.contains(&host.as_str()) {
                shortened.push(host.clone());
            }
            let tld = host.rsplit('.').next().unwrap_or("");
            if SPAMMY_TLDS.contains(&tld) {
                spammy_tld = Some(tld.to_string());
            }
            if !external.contains(&host) {
                external.push(host);
            }
        }
    }
    if !external.is_empty() {
        let n = external.len();
        let text = if n == 1 {
            format!("1 link to a domain outside your sites ({})", external[0])
        } else {
            format!(
                "{n} links to domains outside your sites ({})",
                external.join(", ")
            )
        };
        out.push(Signal {
            code: "external_links",
            text,
            weights: towards(&[
                (Lane::Spam, (1.4 + 0.7 * (n as f32 - 1.0)).min(3.0)),
                (Lane::Question, -0.5),
                (Lane::Noise, -1.0),
            ]),
        });
    }
    if let Some(host) = shortened.first() {
        out.push(Signal {
            code: "shortened_link",
            text: format!("a shortened link ({host}) hides where it goes"),
            weights: towards(&[(Lane::Spam, 2.0)]),
        });
    }
    if let Some(tld) = spammy_tld {
        out.push(Signal {
            code: "spammy_domain",
            text: format!("a link to a .{tld} domain, common in spam"),
            weights: towards(&[(Lane::Spam, 1.2)]),
        });
    }
    if SPELLED_DOMAIN.is_match(text) {
        out.push(Signal {
            code: "spelled_domain",
            text: "a web address spelled out in words".into(),
            weights: towards(&[(Lane::Spam, 2.5)]),
        });
    }
    if !trusted.is_empty() {
        out.push(Signal {
            code: "trusted_source",
            text: format!("cites a trusted source ({})", trusted.join(", ")),
            weights: towards(&[(Lane::Queue, 1.2), (Lane::Spam, -1.2), (Lane::Noise, -2.0)]),
        });
    }
    if own > 0 {
        out.push(Signal {
            code: "own_site_link",
            text: "links to a page on your sites".into(),
            weights: towards(&[(Lane::Queue, 0.4)]),
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Contact details

static MESSENGER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&ascii_boundaries(r"(?i)\b(whats\s?app|telegram|tele\s?gram|viber|wechat|line id|zap|wa\.me|t\.me|wa\.link|signal me)\b|微信|واتساب|واتس|تيليجرام|تلغرام|تلجرام"))
        .expect("valid regex")
});

static PROFESSIONAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&ascii_boundaries(r"(?i)\b(gp|md|rn|mrpharms|pharmacist|practice nurse|nurse|midwife|consultant|registrar|physician|diabetologist|cardiolog\w*|psychiatr\w*|rheumatolog\w*|immunisation coordinator|pharmacien\w*|médecin|infirmi\w+|pneumologue|pediatra|farmac[ée]utic[oa]|enfermer[oa]|médic[oa] de fam[ií]lia|apotheker\w*|hausarzt|kinderkrankenschwester|krankenschwester|kardiologie|farmacêutic[oa]|endocrinologista|huisarts|jeugdarts|verpleegkundige|farmacista|medico di medicina generale|infermiere|lekarz\w*|farmaceuta|pielęgniarka|dietitian|dietician|dietist\w*|diététicien\w*|ernährungsberater\w*|dietetyk\w*|diyetisyen|eczacı|hemşire|doktor)\b|طبيب|صيدلي|(?-i:\b(?:Dr|Dra|Prof|Dott|Lek|lek|Dyt|Uzm|Ecz)\.?\s+\p{Lu})|薬剤師|医師|看護師"))
    .expect("valid regex")
});

fn contacts(text: &str, input: &Input, out: &mut Vec<Signal>) {
    let f = input.findings;
    if let Some(m) = MESSENGER.find(text) {
        let lower = m.as_str().to_lowercase();
        let name = if lower.contains("tele")
            || lower.contains("t.me")
            || lower.contains("تل")
            || lower.contains("تي")
        {
            "Telegram"
        } else if lower.contains("viber") {
            "Viber"
        } else if lower.contains("wechat") || lower.contains("微信") {
            "WeChat"
        } else if lower.contains("line") {
            "LINE"
        } else {
            "WhatsApp"
        };
        let text = if f.phones > 0 {
            format!("a {name} number")
        } else {
            format!("asks to be contacted on {name}")
        };
        out.push(Signal {
            code: "messenger",
            text,
            weights: towards(&[(Lane::Spam, 2.5), (Lane::Queue, -0.5)]),
        });
    }
    if f.spelled_phones > 0 {
        out.push(Signal {
            code: "phone_in_words",
            text: "a phone number written out in words".into(),
            weights: towards(&[(Lane::Spam, 2.5)]),
        });
    } else if f.phones > 0 {
        out.push(Signal {
            code: "phone",
            text: "a phone number".into(),
            weights: towards(&[(Lane::Spam, 0.6), (Lane::Noise, -1.0)]),
        });
    }
    if f.spelled_emails > 0 {
        out.push(Signal {
            code: "email_spelled_out",
            text: "an e-mail address spelled out to dodge filters".into(),
            weights: towards(&[(Lane::Spam, 0.8), (Lane::Noise, -1.0)]),
        });
    } else if f.emails > 0 {
        out.push(Signal {
            code: "email",
            text: "an e-mail address".into(),
            weights: towards(&[(Lane::Spam, 0.4), (Lane::Noise, -1.0)]),
        });
    }
    if f.health_ids > 0 {
        out.push(Signal {
            code: "health_id",
            text: "a personal health or identity number (removed)".into(),
            weights: towards(&[(Lane::Question, 1.2), (Lane::Spam, -0.5)]),
        });
    }
    if PROFESSIONAL.is_match(text) {
        out.push(Signal {
            code: "professional",
            text: "signed by or written as a health professional".into(),
            weights: towards(&[(Lane::Queue, 0.8), (Lane::Spam, -0.4), (Lane::Noise, -1.5)]),
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary: one pass of a RegexSet over the details finds every group present.

struct Group {
    code: &'static str,
    text: &'static str,
    pattern: &'static str,
    weights: &'static [(Lane, f32)],
}

const GROUPS: [Group; 14] = [
    Group {
        code: "offers_service",
        text: "offers a service (SEO, links, marketing, writing)",
        pattern: r"\b(seo|backlinks?|back-links?|link ?building|linkbouw|guest ?posts?|gastblog\w*|gastbeitr\w+|sponsored (posts?|articles?|content)|art[ií]culos? patrocinados?|articles? sponsoris[ée]s|posts? patrocinados?|articoli sponsorizzati|do-?follow|domain authority|da ?\d\d\+|digital marketing|marketing agency|content market\w*|agencia seo|agence de référencement|seo-optimierung|pozycjonowanie|web ?design|website redesign|app development|social media management|free (quote|audit)|presupuesto|preventivo gratuito|unverbindliches angebot|orçamento grátis|we (offer|provide|can write|pay)|nous proposons|wir bieten|ofrecemos|oferecemos|offriamo|oferujemy|wij bieden|freelance writer|partnership proposal|publish our clients|exchange links|intercambiar enlaces|link exchange|rank (much )?higher|primera página de google|posicionar)\b|被リンク|SEO対策|روابط خلفية|تحسين محركات البحث|نقدم خدمات",
        weights: &[(Lane::Spam, 2.2), (Lane::Queue, -0.5)],
    },
    Group {
        code: "sells_medicines",
        text: "sells medicines or remedies",
        pattern: r"\b(buy|order|for sale|purchase|discreet|shipping|delivery|compra|comprar?|envío|pedidos|kaufen|bestellen|versand|achetez|acheter|commandez|livraison|compre|entrega|geleverd|levering|acquista|ordina|spedizione|kupi\w*|wysyłka|cheap|cheapest|barato|günstig|pas cher|goedkoop)\b.{0,80}\b(tramadol|xanax|alprazolam|adderall|oxycodone|viagra|cialis|modafinil|ritalin|valium|diazepam|zolpidem|rivotril|clonazepam|tilidin|ozempic|wegovy|lexomil|tavor|oxazepam|clomid|ventolin|meds|pills|medicines|metformin|sertraline|amoxicillin|pharmacy|inhalers?|pastillas|pillen|rezept|ordonnance|receita|recept|ricetta|recepty|prescription|receta)|\b(tramadol|xanax|alprazolam|adderall|oxycodone|viagra|cialis|modafinil|zolpidem|rivotril|clonazepam|tilidin|ozempic|wegovy|lexomil|tavor|oxazepam)\b.{0,60}\b(without|no|sin|ohne|sans|sem|zonder|senza|bez)\s+(a\s+)?(prescription|script|receta|rezept|ordonnance|receita|recept|ricetta|recepty)|\b(for sale|no prescription needed|no doctor visit)\b|بدون وصفة|処方箋不要|ترامادول|زانكس",
        weights: &[(Lane::Spam, 3.0), (Lane::Queue, -0.8)],
    },
    Group {
        code: "money_offer",
        text: "offers money, loans, crypto or gambling",
        pattern: r"\b(payday|loans?|bad credit|crédit rapide|kredit|pr[ée]stamos?|empr[ée]stimo|prestiti|pożyczk\w*|lenen|crypto\w*|krypto\w*|cripto\w*|bitcoin|btc|fund recovery|recovery agents?|funds back|recuper\w+ (su |seu |i tuoi )?(dinero|fondos|fundos|investimento|fondi)|récupèrent vos fonds|casino|free spins|giros gratis|welcome bonus|bono de bienvenida|make \$\d+|work(ing)? from home|sell my kidney|schufa|bkr|asnef|negativados)\b|融資|تمويل|عملات رقمية|ブラック",
        weights: &[(Lane::Spam, 2.5), (Lane::Queue, -0.8)],
    },
    Group {
        code: "essays_documents",
        text: "offers essays, theses or documents",
        pattern: r"\b(essays?|assignments?|dissertations?|tesis|tesi di laurea|tesi|mémoires?|thèses|tcc|monografia|diplomas?|diplom\w*|fake passports?|driving licen[cs]es)\b",
        weights: &[(Lane::Spam, 2.2)],
    },
    Group {
        code: "legal_services",
        text: "advertises legal services",
        pattern: r"\b(lawyers?|attorneys?|law firm|no win no fee|personal injury|injury claims?|case review|schmerzensgeld|fachanw\w+|abogados?|avocats?|advogados?|avvocat\w+)\b",
        weights: &[(Lane::Spam, 2.2)],
    },
    Group {
        code: "sales_pitch",
        text: "pushes a sale (prices, discounts, \"order now\")",
        pattern: r"(\d+ ?% ?(off|korting|de descuento|rabatt|de réduction|de desconto|sconto)|\b(discount|promo code|code promo|use code|coupon|price list|special price|precio especial|preço especial|affordable prices|unbeatable rates|best prices?|order now|buy now|compra ya|ordina ora|commandez maintenant|jetzt bestellen|click here|today only|hoy solo|prix étudiant|rates negotiable|budget \$|\$\d+ per)\b|compre já|今すぐ注文|格安|اطلب الآن|بأسعار)",
        weights: &[(Lane::Spam, 1.8), (Lane::Queue, -0.5)],
    },
    Group {
        code: "miracle_cure",
        text: "promises a miracle cure or product",
        pattern: r"\b(doctors hate|100 ?% (natural|naturel|natural|garantiz\w+|guaranteed)|guaranteed|garantizado|garantiert|garanti|lose \d+ ?kg|perdez \d+|emagreça|dimagrisci|afvallen zonder|abnehmspritze|keto|cbd|get rid of|cura la|cure (diabetes|eczema)|reversible in)\b|علاج .{0,20}نهائيا",
        weights: &[(Lane::Spam, 1.8)],
    },
    Group {
        code: "site_problem",
        text: "describes a problem with the website (ads, pages, video, login, search)",
        pattern: r"\b(ads?|adverts?|advertising|pop-?ups?|cookies?|cookie banner|video ad|autoplay\w*|won'?t (load|play)|doesn'?t (load|play|work)|not loading|loads? slowly|slow|app crashes|crash\w*|log ?in|password|newsletter|unsubscribe\w*|search|dark mode|font|zoom\w*|print button|paywall|ad ?blocker|server|blank page|safari|firefox|chrome|iphone|mobile|tablet|publicidad|anuncios|no se reproduce|no carga|tarda|buscador|boletín|darme de baja|werbung|lädt|handy|startet nicht|schwarzer bildschirm|bestätigungsmail|schrift|kontrast|cookie-banner|publicit\w*|la vidéo|ne se lance|bandeau|recherche|désabonner|page blanche|propaganda|celular|carrega|não abre|aplicativo|aviso de cookies|advertenties|filmpje|speelt niet af|cookiemelding|zoekfunctie|traag|pubblicit\w*|non parte|non si carica|banner|reklam\w*|nie odtwarza|nie ładuje|telefonie|sayfa açılmıyor|yüklenmiyor|giriş yapamıyorum|mobilde|telefonda)\b|çerez|şifre|الإعلانات|الفيديو لا يعمل|الصفحة لا تفتح|البحث في الموقع|تسجيل الدخول|على الجوال|広告|動画が再生|表示されない|ログイン|スマホで|文字サイズ|广告|加载|显示不全|登录|手机上",
        weights: &[(Lane::Site, 2.2)],
    },
    Group {
        code: "praise",
        text: "thanks or praise",
        pattern: r"\b(thank(s| you)|great (article|post)|very (useful|helpful|informative)|helpful|clearest|well explained|gracias|excelente|muy útil|muy bien explicado|danke|vielen dank|sehr verständlich|super artikel|merci|très clair|super utile|obrigad[oa]|muito bem explicado|bedankt|dank je|heel duidelijk|top artikel|grazie|chiarissimo|molto utile|dzięk\w*|przystępnie)\b|ótimo|teşekkür\w*|çok faydalı|eline sağlık|شكرا|جزاكم الله|مفيد جدا|ありがとう|分かりやすい|助かります|参考になりました|谢谢|感谢|很有用|写得很好",
        weights: &[(Lane::Comment, 1.4)],
    },
    Group {
        code: "article_request",
        text: "asks for an article on another topic",
        pattern: r"(please (write|do) an? (article|something)|can you write|could you write|would (love|like) an article|do an article|write something about|podrían escribir|un artículo sobre|einen artikel über|bitte einen artikel|un article sur|faire un article|podiam fazer|uma matéria|iets schrijven over|scrivere un articolo|artykuł o|hakkında bir yazı|yazı yazabilir|makale yazabilir|مقالا عن|記事も書いて|の記事もお願い|希望能写|能不能写一篇)",
        weights: &[(Lane::Comment, 1.8)],
    },
    Group {
        code: "opinion",
        text: "an opinion about medicine, industry or politics",
        pattern: r"\b(big pharma|pharma companies|government|poison|are a scam|the nhs is broken|natural remedies|chemicals|farmacéuticas|pharmaindustrie|impfpflicht|dictature|labos|indústria farmacêutica|farmaceutische industrie|case farmaceutiche|koncerny farmaceutyczne|gobierno|prefeitura|freiheit|ilaç şirketleri\w*)\b|شركات الأدوية|製薬会社|药厂|制药公司",
        weights: &[(Lane::Comment, 1.5)],
    },
    Group {
        code: "asks_for_change",
        text: "asks for the article to be corrected, completed or updated",
        // Words that ask an editor to change the page, in the corpus languages. "The article says"
        // is left out: readers asking for advice quote the page the same way.
        pattern: r"(\b(should (say|read|be|mention|include|state|note|add|warn)|shouldn'?t it (say|be)|needs? (to be )?(fix(ed|ing)?|correct(ed|ing)?|updat(ed|ing)|chang(ed|ing)|amend(ed|ing)|revis(ed|ing))|please (add|correct|fix|update|amend|change|remove|mention|clarify|review)|(could|should|might|would) (you )?(add|mention|clarify|remove|state|explain that)|(is|are|was) (missing|not mentioned|wrong|incorrect|inaccurate|out of date|outdated)|not mentioned|(is|are) no longer (recommended|advised|used)|(correct|right|actual|usual) (dose|value|figure|number|amount|interval|limit) is|(typo|misprint|misspel\w+)|(doesn'?t|does not|don'?t|do not) (say|mention|cover|include|explain)|(says|said) nothing (about|on)|nothing (about|on)|no mention|(would be|it'?d be) (good|helpful|useful|better) to (say|add|mention|include|clarify|note|explain)|no se (habla|dice|menciona)|no dice nada|nada sobre|ne (parle|dit|mentionne) pas|rien sur|não (fala|diz|menciona)|wird nicht erwähnt|kein wort|nichts (über|zu|von)|non si parla|non (dice|menziona)|niente su|staat niets|wordt niet (genoemd|vermeld)|niets over|brak (informacji|wzmianki)|nie ma (nic|informacji|ani słowa)|deber[íi]a (decir|ser|poner|mencionar|aclarar|indicar)|faltar[íi]a|falta (decir|mencionar|añadir|aclarar|indicar)|est[áa] mal (escrito|indicado|puesto)?|no es correct[oa]|es incorrect[oa]|desactualizad[oa]|(corrijan|corregir|actualicen|actualizar|añadan|aclaren)|no se menciona|sollte(n)? .{0,30}(heißen|stehen|erwähnt werden|ergänzt werden)|fehlt|ist falsch|nicht (korrekt|richtig)|veraltet|bitte (korrigieren|ergänzen|aktualisieren|ändern|anpassen)|richtig (ist|wäre)|muss es heißen|devrait (dire|être|préciser|mentionner|indiquer)|il manque|(est|c'est) faux|incorrect\w*|erron\w+|obsolète|pas à jour|(merci de|il faudrait|vous pourriez|pourriez-vous) (corriger|préciser|mettre à jour|ajouter|mentionner|indiquer)|deveria (dizer|ser|mencionar|informar)|faltou|falta (dizer|mencionar|citar|informar)|est[áa] errad[oa]|incorret[oa]|desatualizad[oa]|(corrijam|corrigir|atualizem|atualizar)|dovrebbe (dire|essere|indicare|riportare)|manca|è sbagliat[oa]|errat[oa]|non è corrett[oa]|non (è )?aggiornat[oa]|(correggete|correggere|aggiornate|aggiornare)|andrebbe (specificato|aggiunto|corretto|aggiornato)|ontbreekt|klopt niet|is fout|onjuist|verouderd|graag (aanpassen|corrigeren|toevoegen|aanvullen)|moet (zijn|staan)|voeg .{0,40} toe|powinno (być|brzmieć)|brakuje|jest błędn\w+|nieprawd\w+|nieaktualn\w+|proszę (poprawić|dodać|zaktualizować|uzupełnić)|poprawcie)\b|yanlış|hatalı|güncel değil|eksik|hiç yok|bahsedilmem\w*|لا يذكر|لم يذكر|لا يوجد أي ذكر|書いてない|書かれていない|没有说|没有写|olmalı\b|düzelt\w+|eklenmeli|خطأ|غير صحيح|معلومات قديمة|يجب تصحيح|الصحيح هو|يجب أن يكون|ينبغي إضافة|يرجى (تصحيح|تحديث|إضافة)|間違い|誤り|古い情報|訂正|修正して|正しくは|記載がない|追記して|错误|不对|过时|应该是|请更正|请修改|正确的是|没有提到)",
        weights: &[(Lane::Queue, 1.0)],
    },
    Group {
        code: "asks_advice",
        text: "asks for personal medical advice",
        pattern: r"(\b(can|could|should|may|must) (i|we)\b|\bis it (safe|ok|okay|normal|dangerous|bad|too late)\b|\bwhat (should|do|can) (i|we) do\b|\bdo i have\b|\bam i\b|\bshould we\b|\bhow much (can|should|do) (i|we)\b|¿?\bpuedo\b|\bdebo\b|\bqué (hago|le doy|me recomiendan)\b|\btengo diabetes\b|\bkann ich\b|\bdarf ich\b|\bsoll ich\b|\bbin ich\b|\bmüssen wir\b|\bwas sollen wir\b|\best-ce que je\b|\bpuis-je\b|\bje dois\b|\bque faire\b|\bposso\b|\bdevo\b|\blevo no\b|\bo que (eu )?faço\b|\bmag ik\b|\bkan ik\b|\bmoet ik\b|\bheb ik\b|\bwat moet ik\b|\bcosa faccio\b|\bczy mog\w*|\bco (mam )?(z)?robi\w*|\bczy to\b|هل يمكنني|هل أنا|ماذا أفعل|هل أذهب|هل أوقفه|大丈夫ですか|どうすれば|どうしたら|私は糖尿病|べきでしょうか|いいですか|miyim\b|mıyım\b|gerekir mi\b|ne yapmalıyım|zarar verir mi\b|可以吗|能吃吗|要去医院吗|怎么办|需要去医院)",
        weights: &[(Lane::Question, 2.0)],
    },
    Group {
        code: "own_health",
        text: "describes the writer's own health, results or medicines",
        pattern: r"(\bmy (son|daughter|child|baby|husband|wife|mum|mom|dad|father|mother|results?|levels?|readings?|hba1c|egfr|tsh|blood|partner|little one|kid|inhaler)\b|\bi('m| am) (\d+ weeks )?pregnant\b|\bi('ve| have) been (on|taking)\b|\bi (take|forgot|get|feel)\b|\bmi (hij[oa]|glucosa|dni)\b|\bestoy embarazada\b|\bllevo \d+ años tomando\b|\bmein(e)? (sohn|tochter|hba1c|versichertennummer)\b|\bich nehme\b|\bich bin in der\b|\bma (fille|glycémie)\b|\bmon (fils|numéro)\b|\bje suis enceinte\b|\bmeu filho\b|\bminha (filha|glicemia)\b|\bestou grávida\b|\btomo\b|\bmijn (zoon|dochter|nuchtere|bsn)\b|\bik (ben \d+ weken zwanger|slik)\b|\bmio figlio\b|\bmia (figlia|glicemia)\b|\bsono incinta\b|\bprendo\b|\bmoje dziecko\b|\bmój (syn|pesel)\b|\bmam cukier\b|\boğlum\b|\bkızım\b|hamileyim|şekerim\b|ابني|ابنتي|عندي|أنا حامل|أتناول|息子|子ども|私は|妊娠\d+週|我的孩子|宝宝|孩子\d|我怀孕)",
        weights: &[(Lane::Question, 1.2)],
    },
];

static GROUP_SET: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSetBuilder::new(GROUPS.iter().map(|g| ascii_boundaries(g.pattern)))
        .dfa_size_limit(10 << 20)
        .build()
        .expect("valid regexes")
});

fn vocabulary(details: &str, out: &mut Vec<Signal>) {
    let lower = details.to_lowercase();
    for i in GROUP_SET.matches(&lower).iter() {
        let g = &GROUPS[i];
        out.push(Signal {
            code: g.code,
            text: g.text.into(),
            weights: towards(g.weights),
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Emergencies and clinical content

static EMERGENCY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&ascii_boundaries(r"(?i)(\bswallowed\b|\boverdosed\b|\btaken \d+ of (my|his|her)\b|\btook (an overdose|too many)\b|can'?t breathe|not breathing|struggling to breathe|\b(i have|i've got|i'm having|having)\b.{0,20}chest pain|chest pain.{0,40}\b(since|now|an hour)\b|want to die|kill myself|end (it all|my life)|suicid\w*|don'?t want to be here|\bunconscious\b|\bseizure\b|\bfitting\b|face (has )?dropped|talking funny|box of pills|\btrag[óo]|se tomó (medio|un|todo)|sobredosis|no puede respirar|convulsi\w+|quiero morir|inconsciente|geschluckt|verschluckt|überdosis|keine luft|krampft|will nicht mehr leben|suizid\w*|bewusstlos|avalé|surdose|ne respire (plus|pas)|envie d'en finir|me suicider|engoliu|não consegue respirar|quero morrer|desmaiou|ingeslikt|overdosis|krijgt geen lucht|zelfmoord|bewusteloos|ingoiato|ingerito|non respira|voglio morire|svenuto|połkn\w+|przedawkow\w+|nie może oddychać|drgawki|chcę umrzeć|samobój\w*)|ابتلع|جرعة زائدة|لا يستطيع التنفس|تشنج|أريد أن أموت|انتحار|飲み込んで|過剰摂取|息ができない|けいれん|死にたい|自殺"))
    .expect("valid regex")
});

// A number with a clinical unit, a blood pressure, a guideline or classification code.
static CLINICAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&ascii_boundaries(r"(?i)(\d\s?(mg|mcg|µg|μg|g|kg|ml|iu|ui|ie|units?|mmol|mmol/l|mmol/mol|mg/dl|mmhg|micrograms?|microgramos|mikrogramów|microgrammi|microgram|gram|gramm|grammi|gramos|gramas|mg/kg|ml/min)\b|\d\s?(%|ملغ|毫克|微克|克|毫升)|\b\d{2,3}/\d{2,3}\b|\b(ng|cg|nice|sign|ich)\s?\d{1,3}\b|\bicd-?1[01]\b|\begfr\b|\bhba1c\b|\binr\b|\bdose\b|\bdosis\b|\bdosage\b|\bdose máxima\b|\bdawk\w+|جرعة|用量)"))
    .expect("valid regex")
});

// ---------------------------------------------------------------------------------------------
// Language and script

static DETECTOR: LazyLock<Detector> =
    LazyLock::new(|| Detector::with_allowlist(LANGUAGES.iter().map(|(_, l, _)| *l).collect()));

// ISO 639-1 codes of the articles' languages, whatlang's language, and its name in English.
// Languages spam often arrives in are included so that it is recognised as such.
const LANGUAGES: [(&str, WLang, &str); 15] = [
    ("en", WLang::Eng, "English"),
    ("es", WLang::Spa, "Spanish"),
    ("de", WLang::Deu, "German"),
    ("fr", WLang::Fra, "French"),
    ("pt", WLang::Por, "Portuguese"),
    ("nl", WLang::Nld, "Dutch"),
    ("it", WLang::Ita, "Italian"),
    ("ar", WLang::Ara, "Arabic"),
    ("pl", WLang::Pol, "Polish"),
    ("ja", WLang::Jpn, "Japanese"),
    ("zh", WLang::Cmn, "Chinese"),
    ("ru", WLang::Rus, "Russian"),
    ("tr", WLang::Tur, "Turkish"),
    ("id", WLang::Ind, "Indonesian"),
    ("vi", WLang::Vie, "Vietnamese"),
];

/// whatlang's confidence needed to name another language in the same script. Its own "reliable"
/// mark is rarely reached by a report of one or two sentences; below 0.3 it often names a
/// neighbouring language (Portuguese for Spanish).
const MIN_CONFIDENCE: f64 = 0.3;

/// Letters needed before a language is named: shorter texts are too often misread.
const MIN_LETTERS_FOR_LANGUAGE: usize = 25;

fn language(details: &str, article_lang: Option<&str>, out: &mut Vec<Signal>) {
    let Some(article) = article_lang
        .map(|a| a.split(['-', '_']).next().unwrap_or(a).to_ascii_lowercase())
        .and_then(|a| LANGUAGES.iter().find(|(code, _, _)| *code == a))
    else {
        return;
    };
    // The first 160 characters decide: the detector's cost grows with the text (about 0.3 µs a
    // character), and a sentence or two is enough to tell the languages apart.
    let sample: String = details.chars().take(160).collect();
    if sample.chars().filter(|c| c.is_alphabetic()).count() < MIN_LETTERS_FOR_LANGUAGE {
        return;
    }
    let Some(info) = DETECTOR.detect(&sample) else {
        return;
    };
    let script_differs = info.script() != script_of(article.1);
    let japanese = article.1 == WLang::Jpn
        && matches!(
            info.script(),
            Script::Hiragana | Script::Katakana | Script::Mandarin
        );
    if info.lang() == article.1
        || japanese
        || (!script_differs && info.confidence() < MIN_CONFIDENCE)
    {
        return;
    }
    let name = LANGUAGES
        .iter()
        .find(|(_, l, _)| *l == info.lang())
        .map_or_else(|| info.lang().eng_name(), |(_, _, n)| n);
    let (text, weight) = if script_differs {
        (
            format!(
                "written in {name} ({} script), the article is in {}",
                info.script().name(),
                article.2
            ),
            1.2,
        )
    } else {
        (
            format!("written in {name}, the article is in {}", article.2),
            0.6,
        )
    };
    out.push(Signal {
        code: "language_mismatch",
        text,
        weights: towards(&[(Lane::Spam, weight)]),
    });
}

fn script_of(lang: WLang) -> Script {
    match lang {
        WLang::Ara => Script::Arabic,
        WLang::Jpn => Script::Hiragana,
        WLang::Cmn => Script::Mandarin,
        WLang::Rus => Script::Cyrillic,
        _ => Script::Latin,
    }
}

// ---------------------------------------------------------------------------------------------
// Nothing to act on: keyboard mashing, tests, a bare verdict, next to no words.

const KEYBOARD_ROWS: [&str; 8] = [
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "azertyuiop",
    "qsdfghjklm",
    "wxcvbn",
    "qwertzuiop",
    "yxcvbnm",
];

static TEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&ascii_boundaries(r"(?i)^\W*(this is (a )?test|test(ing)?|prueba|teste|testje|essai|prova|probe|tests?|test bitte ignorieren|please ignore|deneme|próba|تجربة|テスト|测试|測試)(\W+(test(ing)?|prueba|prova|\d+|please ignore|bitte ignorieren))*\W*$"))
        .expect("valid regex")
});

static BARE_VERDICT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&ascii_boundaries(r"(?i)^\W*(wrong|bad|fake|rubbish|inaccurate|false|old|no|nope|falsch|quatsch|faux|nul|falso|mal|errado|mentira|fout|onzin|sbagliato|źle|błąd|nada|nothing|yanlış|hatalı|خطأ|違う|غلط|错误|错了|不对|間違い)\W*$"))
        .expect("valid regex")
});

// Words that carry no content in any of the corpus languages: a report made only of these (and
// one or two others) gives an editor nothing to act on.
const FILLER: [&str; 40] = [
    "hi",
    "hello",
    "hey",
    "ok",
    "okay",
    "lol",
    "xd",
    "hmm",
    "idk",
    "see",
    "above",
    "yes",
    "no",
    "hola",
    "oi",
    "olá",
    "hallo",
    "hoi",
    "ciao",
    "cześć",
    "bonjour",
    "salut",
    "the",
    "a",
    "is",
    "it",
    "this",
    "that",
    "here",
    "there",
    "what",
    "why",
    "mrhb",
    "مرحبا",
    "ok?",
    "?",
    "x",
    "xx",
    "ja",
    "nee",
];

fn is_mash_word(word: &str) -> bool {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 4 {
        return false;
    }
    let lower: String = word.to_lowercase();
    // "aaaaaa", "ةةةةة", "kkkkkk"
    let repeated = chars.windows(4).any(|w| w.iter().all(|c| *c == w[0]));
    // "jkjkjk", "dfgdfgdfg": a short unit over and over
    let cycles = (2..=3).any(|p| {
        chars.len() >= p * 3
            && chars
                .iter()
                .enumerate()
                .skip(p)
                .all(|(i, c)| *c == chars[i - p])
    });
    let row_run = KEYBOARD_ROWS.iter().any(|row| {
        lower
            .as_bytes()
            .windows(4)
            .any(|w| std::str::from_utf8(w).is_ok_and(|s| row.contains(s)))
    });
    let latin = chars.iter().all(|c| c.is_ascii_alphabetic());
    let vowels = chars
        .iter()
        .filter(|c| "aeiouyAEIOUY".contains(**c))
        .count();
    let no_vowels = latin && chars.len() >= 5 && vowels == 0;
    // "sdfkjhsdkfjh": long Latin words with almost no vowels
    let few_vowels = latin && chars.len() >= 8 && (vowels as f32) / (chars.len() as f32) < 0.2;
    repeated || cycles || row_run || no_vowels || few_vowels
}

fn nothing_to_act_on(details: &str, out: &mut Vec<Signal>) {
    let trimmed = details.trim();
    if trimmed.is_empty() {
        return; // decided before the signals: nothing written
    }
    if TEST.is_match(trimmed) {
        out.push(Signal {
            code: "test",
            text: "looks like a test".into(),
            weights: towards(&[(Lane::Noise, 4.0)]),
        });
        return;
    }
    let words: Vec<&str> = trimmed
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .collect();
    let letters: usize = words.iter().map(|w| w.chars().count()).sum();
    let mashed: usize = words
        .iter()
        .filter(|w| is_mash_word(w))
        .map(|w| w.chars().count())
        .sum();
    if letters > 0 && mashed * 10 >= letters * 6 {
        out.push(Signal {
            code: "keyboard_mashing",
            text: "looks like keyboard mashing".into(),
            weights: towards(&[(Lane::Noise, 4.0)]),
        });
        return;
    }
    if let Some(m) = BARE_VERDICT.find(trimmed) {
        out.push(Signal {
            code: "bare_verdict",
            text: format!("a bare \"{}\" with nothing to act on", m.as_str().trim()),
            weights: towards(&[(Lane::Noise, 3.0)]),
        });
        return;
    }
    // Scripts without spaces count a word per two characters.
    let content = words
        .iter()
        .filter(|w| !FILLER.contains(&w.to_lowercase().as_str()))
        .map(|w| {
            let n = w.chars().count();
            if w.chars()
                .all(|c| c.is_alphabetic() && !c.is_ascii() && is_cjk(c))
            {
                n / 2
            } else {
                usize::from(n >= 2)
            }
        })
        .sum::<usize>();
    if content <= 1 {
        out.push(Signal {
            code: "says_little",
            text: if content == 0 {
                "says nothing an editor could act on".into()
            } else {
                "a single word, nothing an editor could act on".into()
            },
            weights: towards(&[(Lane::Noise, 2.5)]),
        });
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(details: &str, quote: &str, lang: &str) -> Vec<&'static str> {
        let scrubbed = crate::domain::scrub::scrub(details);
        let input = Input {
            quote,
            details: &scrubbed.text,
            findings: scrubbed.findings,
            article_host: "health.example.org",
            article_lang: Some(lang),
        };
        let settings = LaneSettings {
            allowed_hosts: vec!["*.example.org".into()],
            ..LaneSettings::default()
        };
        detect(&input, &settings)
            .signals
            .into_iter()
            .map(|s| s.code)
            .collect()
    }

    #[test]
    fn links_are_judged_by_their_domain() {
        assert_eq!(
            codes(
                "see https://www.nice.org.uk/guidance/ng136 and https://pubmed.ncbi.nlm.nih.gov/1/",
                "",
                "en"
            ),
            ["trusted_source", "clinical"]
        );
        let c = codes(
            "Order at https://pharma-discount.store and bit.ly/xyz",
            "",
            "en",
        );
        assert!(
            c.contains(&"external_links")
                && c.contains(&"shortened_link")
                && c.contains(&"spammy_domain"),
            "{c:?}"
        );
        assert_eq!(
            codes("see https://salud.example.org/x", "", "en"),
            ["own_site_link"]
        );
        assert!(
            codes("visit thyroidwellness dot co for more", "", "en").contains(&"spelled_domain")
        );
        // With a scheme any top-level domain is a link; without one only the common ones are.
        assert!(codes("buy at https://pills.pharmacy now", "", "en").contains(&"external_links"));
        assert!(!codes("buy at pills.pharmacy now", "", "en").contains(&"external_links"));
    }

    #[test]
    fn contact_details_and_professionals() {
        let c = codes(
            "Ozempic no prescription needed, whatsapp +1 (302) 555-0147",
            "",
            "en",
        );
        assert!(
            c.contains(&"messenger") && c.contains(&"phone") && c.contains(&"sells_medicines"),
            "{c:?}"
        );
        let c = codes("Target INR is 2-3. Dr A. Khan, GP, 07700 900123", "", "en");
        assert!(c.contains(&"professional") && c.contains(&"phone"), "{c:?}");
        assert!(
            codes("My NHS number is 943 476 5919 can you check", "", "en").contains(&"health_id")
        );
    }

    #[test]
    fn noise_is_recognised_in_several_forms() {
        for (text, code) in [
            ("asdf", "keyboard_mashing"),
            ("sdfkjhsdkfjh", "keyboard_mashing"),
            ("jkjkjkjkl;l;", "keyboard_mashing"),
            ("kkkkkkkkkk", "keyboard_mashing"),
            ("ةةةةةةةة", "keyboard_mashing"),
            ("test", "test"),
            ("testing 123", "test"),
            ("Test bitte ignorieren", "test"),
            ("wrong", "bare_verdict"),
            ("falsch!", "bare_verdict"),
            ("hi", "says_little"),
            ("see above", "says_little"),
        ] {
            assert!(
                codes(text, "", "en").contains(&code),
                "{text}: {:?}",
                codes(text, "", "en")
            );
        }
        // A quoted passage is something to act on.
        assert!(
            codes("wrong", "Adults can take 3,200 mg", "en").is_empty()
                || !codes("wrong", "Adults can take 3,200 mg", "en").contains(&"bare_verdict")
        );
        assert!(!codes("dose wrong 3200 is prescription max", "", "en").contains(&"says_little"));
    }

    #[test]
    fn language_against_the_article() {
        assert!(codes(
            "Compra Tramadol sin receta, envío discreto a todo el mundo",
            "",
            "en"
        )
        .contains(&"language_mismatch"));
        assert!(codes(
            "Купить дипломы и сертификаты недорого, быстрая доставка",
            "",
            "en"
        )
        .contains(&"language_mismatch"));
        assert!(!codes(
            "The maximum dose without a prescription is 1200 mg a day",
            "",
            "en"
        )
        .contains(&"language_mismatch"));
        assert!(
            !codes("成人の目安量は1日8.5μgです。85μgではありません", "", "ja")
                .contains(&"language_mismatch")
        );
    }

    #[test]
    fn questions_and_emergencies() {
        let c = codes(
            "can I take ibuprofen with my blood pressure tablets?",
            "",
            "en",
        );
        assert!(c.contains(&"asks_advice"), "{c:?}");
        assert!(codes(
            "my daughter swallowed about 10 tablets what do i do",
            "",
            "en"
        )
        .contains(&"emergency"));
        assert!(codes("Meine Tochter hat 8 Tabletten geschluckt", "", "de").contains(&"emergency"));
        assert!(!codes(
            "Paracetamol overdose causes liver failure, fix this line",
            "",
            "en"
        )
        .contains(&"emergency"));
    }
}

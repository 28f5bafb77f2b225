use std::sync::LazyLock;

use super::*;

static SETTINGS: LazyLock<LaneSettings> = LazyLock::new(|| LaneSettings {
    allowed_hosts: vec!["*.example.org".into()],
    ..LaneSettings::default()
});

static CLASSIFIER: LazyLock<Classifier> = LazyLock::new(|| Classifier::new(&SETTINGS, []));

fn submission<'a>(
    category: Category,
    quote: Option<&'a str>,
    details: &'a str,
    lang: &'a str,
) -> Submission<'a> {
    Submission {
        category,
        quote,
        details: Some(details),
        article_host: "health.example.org",
        article_lang: Some(lang),
        recent_spam: &[],
    }
}

fn lane_of(category: Category, quote: Option<&str>, details: &str, lang: &str) -> Verdict {
    CLASSIFIER.classify(&submission(category, quote, details, lang))
}

fn codes(v: &Verdict) -> Vec<&str> {
    v.reasons.iter().map(|r| r.code.as_str()).collect()
}

// None of these texts is in the corpus: they are new wordings of each kind of report.
#[test]
fn every_lane_in_several_languages() {
    let cases: &[(Lane, Category, Option<&str>, &str, &str)] = &[
        (Lane::Queue, Category::Harmful, Some("Children over 6 months can have 10 mg/kg of ibuprofen every 2 hours"), "every 2 hours is far too often, it should be every 6 to 8 hours and max 3 doses a day", "en"),
        (Lane::Queue, Category::Outdated, None, "the vaccine schedule table still shows the 2016 programme", "en"),
        (Lane::Queue, Category::Inaccurate, None, "la dosis de paracetamol para niños es 15 mg/kg cada 6 horas, no 50", "es"),
        (Lane::Queue, Category::Typo, None, "Im Text steht zweimal 'Blutdrück' statt 'Blutdruck'", "de"),
        (Lane::Queue, Category::Inaccurate, None, "La dose maximale de paracétamol chez l'adulte est de 4 g par jour, pas 6 g", "fr"),
        (Lane::Question, Category::Other, None, "Can I take paracetamol and ibuprofen together for my toothache?", "en"),
        (Lane::Question, Category::Other, None, "¿Puedo tomar omeprazol si estoy embarazada de 10 semanas?", "es"),
        (Lane::Question, Category::Other, None, "Darf ich mit meinem Diabetes Ibuprofen nehmen? Mein HbA1c ist 7,1", "de"),
        (Lane::Site, Category::Other, None, "the page keeps jumping because of the ads loading at the top", "en"),
        (Lane::Site, Category::Other, None, "La vidéo de démonstration ne se lance pas sur mon téléphone", "fr"),
        (Lane::Comment, Category::Other, None, "Thanks so much, this really helped me understand my mum's diagnosis", "en"),
        (Lane::Comment, Category::Other, None, "Muito obrigada pelo artigo, muito bem explicado!", "pt"),
        (Lane::Noise, Category::Other, None, "hjkhjkhjk", "en"),
        (Lane::Noise, Category::Inaccurate, None, "wrong", "en"),
        (Lane::Noise, Category::Other, None, "prueba", "es"),
        (Lane::Spam, Category::Other, None, "We are an SEO agency offering guest posts and high DA backlinks for your health website. Reply for our price list.", "en"),
        (Lane::Spam, Category::Other, None, "Comprar Xanax sin receta con envío rápido, pedidos por WhatsApp +34 655 443 221", "en"),
        (Lane::Spam, Category::BrokenLink, None, "Great article! One of your links is broken, we wrote an updated guide at https://best-health-guides.online/diabetes you could link instead.", "en"),
        (Lane::Spam, Category::Other, None, "Geld verloren durch Krypto-Betrug? Wir holen es zurück, schreiben Sie an hilfe at gmx dot net", "de"),
    ];
    let mut wrong = Vec::new();
    for (lane, category, quote, details, lang) in cases {
        let v = lane_of(*category, *quote, details, lang);
        if v.lane != *lane {
            wrong.push(format!(
                "{details:?}: expected {lane:?}, got {:?} {:?}",
                v.lane, v.reasons
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn verdicts_carry_reasons_an_editor_can_read() {
    let v = lane_of(
        Category::Other,
        None,
        "Buy Tramadol and Xanax without prescription, discreet shipping. WhatsApp +44 7418 355 912 https://rx-meds24.shop",
        "nl",
    );
    assert_eq!(v.lane, Lane::Spam);
    let texts: Vec<&str> = v.reasons.iter().map(|r| r.text.as_str()).collect();
    assert!(texts.contains(&"a WhatsApp number"), "{texts:?}");
    assert!(texts.contains(&"sells medicines or remedies"), "{texts:?}");
    assert!(
        texts.contains(&"1 link to a domain outside your sites (rx-meds24.shop)"),
        "{texts:?}"
    );
    assert!(
        texts.contains(&"written in English, the article is in Dutch"),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("reads like spam to the text model (p = ")),
        "{texts:?}"
    );
    assert!(!v.signpost);
}

#[test]
fn real_reports_that_look_like_spam_stay_in_the_queue() {
    // Signed with a phone number and an e-mail, with a link: a professional's report.
    let v = lane_of(
        Category::Harmful,
        Some("Adults can take up to 3,200 mg a day"),
        "Community pharmacist: the OTC maximum is 1,200 mg/day. https://www.medicines.org.uk/emc/ Sam Patel, 0161 496 0732, sam@pharmacy.example.com",
        "en",
    );
    assert_eq!(v.lane, Lane::Queue, "{:?}", v.reasons);
    assert!(codes(&v).contains(&"trusted_source"), "{:?}", v.reasons);
    // Rough, a few words and a number, in another language than the article.
    let v = lane_of(Category::Harmful, None, "dosis mal 3200 no", "en");
    assert_eq!(v.lane, Lane::Queue, "{:?}", v.reasons);
}

#[test]
fn a_harmful_report_needs_strong_evidence_to_leave_the_queue() {
    // Reads a little like a question, but it is a harmful report about a dose in the article.
    let v = lane_of(
        Category::Harmful,
        Some("Give 1 g of paracetamol to children under 12"),
        "is this right? 1 g for a child is an adult dose",
        "en",
    );
    assert_eq!(v.lane, Lane::Queue, "{:?}", v.reasons);
}

#[test]
fn emergencies_and_questions_are_signposted() {
    let v = lane_of(
        Category::Other,
        None,
        "my son just swallowed a whole pack of his sister's pills, what do we do",
        "en",
    );
    assert_eq!(v.lane, Lane::Question, "{:?}", v.reasons);
    assert!(v.signpost);
    assert!(codes(&v).contains(&"emergency"));
    let v = lane_of(
        Category::Other,
        None,
        "can I drink alcohol while taking metronidazole?",
        "en",
    );
    assert!(v.signpost && v.lane == Lane::Question, "{v:?}");
    let v = lane_of(
        Category::Typo,
        None,
        "'paracetmol' is misspelled in the heading",
        "en",
    );
    assert!(!v.signpost);
}

#[test]
fn empty_reports_are_noise() {
    let v = CLASSIFIER.classify(&Submission {
        category: Category::Inaccurate,
        quote: None,
        details: Some("   "),
        article_host: "health.example.org",
        article_lang: None,
        recent_spam: &[],
    });
    assert_eq!(v.lane, Lane::Noise);
    assert_eq!(codes(&v), ["empty"]);
}

#[test]
fn near_copies_of_spam_are_spam() {
    let marked = "Hello! Kindly check our new wellness products, we ship to every country within a week and have a special offer this month for readers of health blogs.";
    let recent = [Fingerprint::of(None, Some(marked)).unwrap()];
    let variant = "Hello!! Kindly check our new wellness products, we ship to every country within a week and have a special offer this month for the readers of medical blogs.";
    let mut s = submission(Category::Other, None, variant, "en");
    s.recent_spam = &recent;
    let v = CLASSIFIER.classify(&s);
    assert_eq!(v.lane, Lane::Spam);
    assert_eq!(codes(&v)[0], "near_copy_spam");
}

#[test]
fn a_lesson_changes_a_later_verdict() {
    let mut classifier = Classifier::new(&SETTINGS, []);
    // A reader's remark that the classifier sends to the queue...
    let text = "this part about the maximum dose made me think of my first job";
    let s = submission(Category::Unclear, None, text, "en");
    let before = classifier.classify(&s);
    assert_eq!(before.lane, Lane::Queue, "{:?}", before.reasons);
    // ...an editor moves it to comments...
    classifier.learn([Lesson {
        quote: None,
        details: Some(text.into()),
        category: Category::Unclear,
        lane: Lane::Comment,
    }]);
    assert_eq!(classifier.lessons_learned(), 1);
    // ...and the same remark from another reader, reworded a little, follows the lesson.
    let again = submission(
        Category::Unclear,
        None,
        "this part about the maximum dose made me think of my first job!",
        "en",
    );
    let after = classifier.classify(&again);
    assert_eq!(after.lane, Lane::Comment, "{:?}", after.reasons);
    assert_eq!(codes(&after)[0], "near_copy_lesson");
}

#[test]
fn lessons_also_teach_the_model_beyond_near_copies() {
    // Replayed lessons about a campaign in words the corpus never saw move a new wording of it
    // (six of them: the larger the corpus, the more lessons it takes to outweigh it).
    let campaign = [
        "Visit Dr Okafor the great herbalist, his herbs cured my HIV",
        "Dr Okafor herbalist cured my husband of herpes with his herbs, contact him",
        "I was cured of diabetes by Dr Okafor the herbalist, his herbal medicine works",
        "Thanks to Dr Okafor herbalist my sister was cured of cancer with herbs",
        "Dr Okafor's herbs cured my hepatitis in two weeks, the herbalist is real",
        "my father was cured of his kidney disease by the herbalist Dr Okafor, contact him today",
    ];
    let probe = "my mother was cured by the herbalist Dr Okafor and his herbs";
    let untaught = Classifier::new(&SETTINGS, []);
    let s = submission(Category::Other, None, probe, "en");
    let before = untaught.classify(&s).lane;
    let taught = Classifier::new(
        &SETTINGS,
        campaign.iter().map(|t| Lesson {
            quote: None,
            details: Some(t.to_string()),
            category: Category::Other,
            lane: Lane::Spam,
        }),
    );
    let after = taught.classify(&s);
    assert_ne!(before, Lane::Spam);
    assert_eq!(after.lane, Lane::Spam, "{:?}", after.reasons);
    assert_eq!(taught.lessons_learned(), campaign.len());
}

#[test]
fn lanes_round_trip() {
    for lane in Lane::ALL {
        assert_eq!(Lane::parse(lane.as_str()), Some(lane));
        assert_eq!(serde_json::to_value(lane).unwrap(), lane.as_str());
    }
    let settings: LaneSettings = toml::from_str("trusted_sources = [\"example.net\"]").unwrap();
    assert_eq!(settings.trusted_sources, ["example.net"]);
    assert_eq!(
        settings.near_copy_similarity,
        LaneSettings::default().near_copy_similarity
    );
}

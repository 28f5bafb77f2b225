//! Reading sitemaps (sitemaps.org): a `<urlset>` of pages with their `<lastmod>`, or a
//! `<sitemapindex>` of further sitemaps; gzipped (`.xml.gz`) or not.

use std::io::Read;

/// What one sitemap file lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sitemap {
    Pages(Vec<Entry>),
    Index(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub loc: String,
    pub lastmod: Option<String>,
}

/// Parses a sitemap, gunzipping it first when it is gzipped; never more than `max_bytes` of XML.
pub fn parse(bytes: &[u8], max_bytes: usize) -> Result<Sitemap, String> {
    let xml = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .take(max_bytes as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| format!("not a readable gzip file ({e})"))?;
        if out.len() > max_bytes {
            return Err(format!(
                "larger than {max_bytes} bytes uncompressed: not read"
            ));
        }
        out
    } else {
        bytes.to_vec()
    };
    let text = String::from_utf8(xml).map_err(|_| "not UTF-8 text".to_string())?;
    let doc = roxmltree::Document::parse(&text).map_err(|e| format!("not XML ({e})"))?;
    let root = doc.root_element();
    let child_text = |node: roxmltree::Node, name: &str| {
        node.children()
            .find(|c| c.is_element() && c.tag_name().name() == name)
            .and_then(|c| c.text())
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    };
    let items = |name: &'static str| {
        root.children()
            .filter(move |c| c.is_element() && c.tag_name().name() == name)
    };
    match root.tag_name().name() {
        "urlset" => Ok(Sitemap::Pages(
            items("url")
                .filter_map(|u| {
                    Some(Entry {
                        loc: child_text(u, "loc")?,
                        lastmod: child_text(u, "lastmod"),
                    })
                })
                .collect(),
        )),
        "sitemapindex" => Ok(Sitemap::Index(
            items("sitemap")
                .filter_map(|s| child_text(s, "loc"))
                .collect(),
        )),
        other => Err(format!(
            "<{other}> is neither a <urlset> nor a <sitemapindex>"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const URLSET: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc> https://health.example.org/a </loc><lastmod>2026-10-01</lastmod></url>
  <url><loc>https://health.example.org/b</loc></url>
  <url><lastmod>2026-10-01</lastmod></url>
</urlset>"#;

    #[test]
    fn urlsets_indexes_and_gzip() {
        let expected = Sitemap::Pages(vec![
            Entry {
                loc: "https://health.example.org/a".into(),
                lastmod: Some("2026-10-01".into()),
            },
            Entry {
                loc: "https://health.example.org/b".into(),
                lastmod: None,
            },
        ]);
        assert_eq!(parse(URLSET.as_bytes(), 1 << 20), Ok(expected.clone()));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(URLSET.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(parse(&gz, 1 << 20), Ok(expected));
        assert!(parse(&gz, 100)
            .unwrap_err()
            .contains("larger than 100 bytes"));
        let index = r#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <sitemap><loc>https://health.example.org/s1.xml.gz</loc></sitemap></sitemapindex>"#;
        assert_eq!(
            parse(index.as_bytes(), 1 << 20),
            Ok(Sitemap::Index(vec![
                "https://health.example.org/s1.xml.gz".into()
            ]))
        );
        assert!(parse(b"<html></html>", 1 << 20).is_err());
        assert!(parse(b"not xml", 1 << 20).is_err());
    }
}

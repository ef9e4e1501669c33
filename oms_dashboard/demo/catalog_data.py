"""The demo mall's sellers and what they sell: plain data, no database.

Prices are minor units in the seller's currency. A value given as a pair
(``price``, ``grams``, ``dims``) runs from the first to the last variant, so
sizes grow in order; a tuple as long as the variants gives each its own
price. HS codes are the 6-digit international headings for the item. A few items are
digital (e-books, gift cards, maps) and a few subscriptions (a coffee club, a sheet-mask
club), each replacing an item of the same shape so the demo's random draws stay put.
"""

from __future__ import annotations

from dataclasses import dataclass

Dims = tuple[int, int, int]


@dataclass(frozen=True)
class SellerSpec:
    key: str
    name: str
    country: str
    region: str | None
    city: str
    postal_code: str
    timezone: str
    handling_hours: int
    low_stock_threshold: int
    currency: str
    sku_prefix: str
    staff_name: str
    staff_email: str
    popularity: float
    """Relative share of the mall's orders."""
    price_ending: int
    """Cents a shelf price ends in: 99 ($24.99), 95 (24,95 EUR), 0 (GBP 24.00)."""
    late_share: float = 1 / 30
    """Of its orders in the last weeks, how many ship late (``demo.orders``): one in
    thirty is within the standing's 4 % warning threshold, one in twenty above it."""


@dataclass(frozen=True)
class Item:
    category: str
    title: str
    variants: tuple[str, ...]
    price: int | tuple[int, ...]
    grams: int | tuple[int, int]
    dims: Dims | tuple[Dims, Dims]
    hs: str | None
    origin: str | None = None
    digital: bool = False
    subscription: bool = False
    """Renews every month (``ProductKind.SUBSCRIPTION``); ships like any box."""
    restricted: bool = False

    @property
    def kind(self) -> str:
        if self.digital:
            return "digital"
        return "subscription" if self.subscription else "physical"


def item(
    category: str, title: str, variants: str | tuple[str, ...], price, grams, dims, hs, **flags
) -> Item:
    if isinstance(variants, str):
        variants = (variants,)
    return Item(category, title, variants, price, grams, dims, hs, **flags)


def gift_cards(symbol: str, amounts: tuple[int, ...], brand: str) -> Item:
    labels = tuple(f"{symbol}{a // 100}" for a in amounts)
    return item(
        "Gift cards",
        f"{brand} e-Gift Card, {{v}}",
        labels,
        amounts,
        0,
        (0, 0, 0),
        None,
        digital=True,
    )


# fmt: off
SELLERS: tuple[SellerSpec, ...] = (
    SellerSpec("volt", "Volt & Cable Co.", "US", "CA", "San Jose", "95112", "America/Los_Angeles",
               24, 8, "USD", "VLT", "Sam Patel", "seller@oms.demo", 0.30, 99),
    SellerSpec("hearth", "Hearth & Hollow Kitchen", "US", "TX", "Austin", "78701",
               "America/Chicago", 48, 5, "USD", "HHK", "Jamie Torres",
               "jamie.torres@hearthandhollow.example", 0.22, 99),
    SellerSpec("summit", "Summit Trail Outfitters", "US", "CO", "Denver", "80202",
               "America/Denver", 48, 4, "USD", "STO", "Riley Nguyen",
               "riley.nguyen@summittrail.example", 0.20, 99, late_share=1 / 20),
    SellerSpec("northleaf", "Northleaf Books", "CA", "ON", "Toronto", "M5V 2T6",
               "America/Toronto", 24, 6, "CAD", "NLB", "Olivia Tremblay",
               "olivia.tremblay@northleafbooks.example", 0.11, 99),
    SellerSpec("thread", "Thread & Loom", "GB", None, "Manchester", "M4 1HN", "Europe/London",
               48, 5, "GBP", "TAL", "Harriet Clarke", "harriet.clarke@threadandloom.example",
               0.09, 0, late_share=1 / 20),
    SellerSpec("alpenglow", "Alpenglow Naturkosmetik", "DE", "Bayern", "München", "80331",
               "Europe/Berlin", 72, 6, "EUR", "ALP", "Lena Fischer",
               "lena.fischer@alpenglow.example", 0.08, 95),
)

ELECTRONICS = (
    item("Phone cases", "Slim Silicone Case for {v}",
         ("iPhone 15", "iPhone 15 Pro", "iPhone 15 Pro Max", "Galaxy S24", "Pixel 8"),
         (1499, 1499, 1699, 1499, 1499), (36, 44), ((165, 85, 14), (175, 92, 15)), "392690",
         origin="CN"),
    item("Screen protectors", "Tempered Glass Screen Protector, 2-Pack for {v}",
         ("iPhone 15", "Galaxy S24", "Pixel 8"), 1299, 58, (185, 105, 12), "700719", origin="CN"),
    item("Cables", "Braided USB-C to USB-C Cable, {v}", ("3 ft", "6 ft", "10 ft"),
         (1099, 1899), (34, 86), ((120, 90, 20), (150, 110, 30)), "854442", origin="CN"),
    item("Cables", "USB-C to Lightning Cable, {v}", ("3 ft", "6 ft"), (1299, 1599), (30, 48),
         (120, 90, 20), "854442", origin="CN"),
    item("Chargers", "{v} GaN USB-C Wall Charger", ("20W", "35W Dual-Port", "65W 3-Port",
         "100W 4-Port"), (1999, 5999), (42, 215), ((70, 50, 40), (110, 80, 45)), "850440",
         origin="CN"),
    item("Chargers", "15W Wireless Charging Pad", "", 2499, 120, (120, 120, 30), "850440",
         origin="CN"),
    item("Power banks", "{v} Portable Power Bank, USB-C PD", ("10,000 mAh", "20,000 mAh"),
         (2999, 4999), (195, 360), ((110, 75, 30), (160, 80, 32)), "850760", origin="CN",
         restricted=True),
    item("Batteries", "Lithium AA Batteries, 12-Pack", "", 2299, 210, (120, 100, 20), "850650",
         origin="US", restricted=True),
    item("Audio", "Wireless Earbuds with Charging Case, {v}", ("Black", "White"), 7999, 58,
         (110, 95, 45), "851830", origin="VN"),
    item("Audio", "Over-Ear Noise Cancelling Headphones, {v}", ("Matte Black", "Silver"), 17999,
         285, (230, 190, 90), "851830", origin="VN"),
    item("Car accessories", "MagSafe-Compatible Car Vent Mount", "", 2999, 95, (110, 90, 60),
         "392690", origin="CN"),
    item("Computer accessories", "Bluetooth Mechanical Keyboard, {v} Switches", ("Brown", "Red"),
         8999, 820, (365, 135, 42), "847160", origin="CN"),
    item("Computer accessories", "Ergonomic Wireless Mouse", "", 3999, 98, (125, 85, 45),
         "847160", origin="CN"),
    item("Computer accessories", "USB-C 7-in-1 Hub with 4K HDMI", "", 4499, 78, (115, 45, 16),
         "847180", origin="CN"),
    item("Laptop sleeves", "Water-Resistant Laptop Sleeve, {v}", ("13-inch", "15-inch"),
         (2499, 2999), (185, 240), ((340, 250, 20), (390, 280, 20)), "420292", origin="VN"),
    item("Smart home", "Wi-Fi Smart Plug, {v}", ("1-Pack", "4-Pack"), (1499, 3999), (95, 360),
         ((80, 60, 60), (200, 140, 70)), "853650", origin="CN"),
    item("Watch bands", "Sport Loop Band for Apple Watch, {v}", ("41 mm Navy", "45 mm Olive"),
         1999, 22, (120, 60, 15), "911390", origin="CN"),
    item("Tablet accessories", "Folio Keyboard Case for iPad Air 11-inch", "", 6999, 430,
         (260, 190, 20), "847160", origin="CN"),
    item("Cables", "HDMI 2.1 Ultra High Speed Cable, {v}", ("6 ft", "10 ft"), (1699, 2199),
         (110, 160), (180, 130, 30), "854442", origin="CN"),
    item("Chargers", "3-in-1 MagSafe Charging Stand", "", 8999, 410, (180, 120, 80), "850440",
         origin="CN"),
    gift_cards("$", (2500, 5000), "Volt & Cable"),
)

KITCHEN = (
    item("Cookware", "Pre-Seasoned Cast Iron Skillet, {v}", ("8-inch", "10.25-inch", "12-inch"),
         (1999, 4499), (1450, 3500), ((360, 215, 45), (500, 310, 55)), "732391", origin="US"),
    item("Cookware", "Enameled Cast Iron Dutch Oven, 5.5 qt, {v}",
         ("Flame Orange", "Marine Blue", "Cherry Red"), 7999, 5300, (335, 275, 170), "732392",
         origin="CN"),
    item("Cookware", "Tri-Ply Stainless Saucepan with Lid, {v}", ("2 qt", "3 qt"), (3999, 5499),
         (1250, 1650), ((380, 190, 120), (420, 210, 130)), "732393", origin="US"),
    item("Cutlery", "8-inch Chef's Knife, German Stainless Steel", "", 4999, 235,
         (345, 60, 25), "821192", origin="DE"),
    item("Cutlery", "Paring Knife Set, 3-Piece", "", 2999, 160, (250, 90, 25), "821192",
         origin="DE"),
    item("Cutting boards", "End-Grain Walnut Cutting Board, {v}", ("Medium", "Large"),
         (5999, 8999), (2200, 3800), ((380, 280, 38), (460, 330, 38)), "441990", origin="US"),
    item("Tableware", "Stoneware Coffee Mugs, Set of 4, {v}", ("Speckled White", "Sage"), 3499,
         1750, (270, 270, 120), "691200", origin="PT"),
    item("Tableware", "Stoneware Dinner Plates, Set of 4, {v}", ("Stone Grey", "Ivory"), 4999,
         3400, (290, 290, 110), "691200", origin="PT"),
    item("Food storage", "Borosilicate Glass Food Storage Containers, 10-Piece", "", 3299, 2600,
         (320, 240, 160), "701349", origin="CN"),
    item("Coffee & tea", "Ceramic Pour-Over Coffee Dripper", "", 2499, 420, (140, 140, 110),
         "691200", origin="JP"),
    item("Coffee & tea", "Conical Burr Coffee Grinder, 40 Settings", "", 8999, 1950,
         (180, 140, 330), "850940", origin="CN"),
    item("Coffee & tea", "Electric Gooseneck Kettle, {v}", ("Matte Black", "Brushed Steel"),
         6999, 1150, (300, 170, 220), "851671", origin="CN"),
    item("Coffee & tea", "Double-Wall Stainless French Press, {v}", ("12 oz", "34 oz"),
         (2999, 3999), (520, 860), ((170, 120, 180), (210, 140, 250)), "732393", origin="IN"),
    item("Coffee & tea", "Coffee Club: Fresh-Roasted Beans, Monthly 12 oz Bag", "", 1999,
         480, (260, 200, 60), "090121", origin="US", subscription=True),
    item("Kitchen linens", "Linen Table Napkins, Set of 4, {v}", ("Natural", "Charcoal"), 2999,
         260, (220, 160, 30), "630259", origin="LT"),
    item("Bakeware", "Silicone Baking Mats, {v}", ("Quarter-Sheet 2-Pack", "Half-Sheet 2-Pack"),
         (1499, 1999), (180, 290), ((310, 230, 15), (430, 300, 15)), "392410", origin="CN"),
    item("Utensils", "Bamboo Cooking Utensil Set, 6-Piece", "", 1899, 320, (330, 110, 40),
         "441919", origin="CN"),
    item("Gadgets", "Digital Kitchen Scale, 11 lb", "", 2499, 610, (240, 190, 40), "842310",
         origin="CN"),
    item("Bakeware", "Stainless Steel Mixing Bowls, Set of 5", "", 3499, 1600, (300, 300, 150),
         "732393", origin="IN"),
    item("Cleaning", "Heavy-Duty Oven Cleaner Foam Spray, 19 oz", "", 899, 620, (80, 80, 260),
         "340530", origin="US", restricted=True),
    item("Cleaning", "Cast Iron Chainmail Scrubber", "", 1499, 95, (120, 100, 25), "732690",
         origin="CN"),
    item("Recipe e-books", "Hearth & Hollow Cookbook (E-Book): {v}",
         ("Weeknight Cast Iron", "Sourdough Basics"), 999, 0, (0, 0, 0), None, digital=True),
)

OUTDOOR = (
    item("Tents", "Ultralight Backpacking Tent, {v}", ("1-Person", "2-Person", "3-Person"),
         (24999, 39999), (1150, 2100), ((460, 150, 150), (530, 180, 180)), "630622",
         origin="VN"),
    item("Sleeping", "Down Sleeping Bag, 20°F, {v}", ("Regular", "Long"), (28999, 31999),
         (960, 1050), (400, 200, 200), "940430", origin="VN"),
    item("Sleeping", "Self-Inflating Sleeping Pad, {v}", ("Regular", "Wide"), (8999, 10999),
         (900, 1200), ((520, 160, 160), (640, 180, 180)), "630640", origin="TW"),
    item("Packs", "Hiking Daypack, 28 L, {v}", ("Slate", "Rust", "Forest"), 8999, 860,
         (500, 300, 90), "420292", origin="VN"),
    item("Packs", "Backpacking Pack, 55 L, {v}", ("S/M", "L/XL"), (21999, 22999), (1500, 1650),
         (700, 350, 120), "420292", origin="VN"),
    item("Lighting", "Rechargeable LED Headlamp, 400 Lumens", "", 3999, 98, (130, 90, 60),
         "851310", origin="CN"),
    item("Trekking poles", "Carbon Fiber Trekking Poles, Pair", "", 11999, 480, (650, 90, 60),
         "950699", origin="TW"),
    item("Hydration", "Insulated Stainless Water Bottle, {v}", ("21 oz", "32 oz", "40 oz"),
         (2999, 3999), (340, 520), ((80, 80, 270), (100, 100, 300)), "961700", origin="CN"),
    item("Hydration", "Squeeze Water Filter System", "", 3999, 110, (170, 110, 50), "842121",
         origin="US"),
    item("Camp kitchen", "Backpacking Stove with Piezo Igniter", "", 4999, 150, (110, 90, 90),
         "732111", origin="KR"),
    item("Camp kitchen", "Isobutane Fuel Canister, 8 oz", "", 699, 370, (110, 110, 95),
         "271113", origin="US", restricted=True),
    item("Camp kitchen", "Titanium Long-Handle Spork", "", 1299, 25, (230, 45, 10), "821599",
         origin="CN"),
    item("Camp kitchen", "Bear-Resistant Food Canister", "", 7999, 1150, (230, 230, 310),
         "392690", origin="US"),
    item("Safety", "Bear Deterrent Spray, 7.9 oz", "", 4999, 440, (70, 70, 250), "930400",
         origin="US", restricted=True),
    item("Safety", "Emergency Bivy Sack", "", 1999, 115, (110, 80, 50), "630690", origin="CN"),
    item("Socks", "Merino Wool Hiking Socks, {v}", ("M", "L", "XL"), 2499, 92, (220, 100, 25),
         "611594", origin="US"),
    item("Rainwear", "Packable Rain Jacket, {v}", ("Men's M", "Men's L", "Women's S",
         "Women's M"), 14999, (320, 340), (300, 250, 50), "620140", origin="VN"),
    item("Camp furniture", "Ultralight Camp Chair", "", 11999, 910, (360, 120, 100), "940179",
         origin="CN"),
    item("Camp furniture", "Camping Hammock with Tree Straps, {v}", ("Olive", "Navy"), 5999,
         620, (200, 150, 110), "630690", origin="ID"),
    item("Optics", "Compact Binoculars 10x25", "", 8999, 310, (120, 115, 55), "900510",
         origin="CN"),
    item("Maps", "Colorado Fourteeners Trail Map Pack (Digital Download)", "", 1499, 0,
         (0, 0, 0), None, digital=True),
)

APPAREL = (
    item("T-shirts", "Organic Cotton Crew T-Shirt, {v}", ("White / M", "White / L", "Black / M",
         "Black / L", "Navy / S"), 2000, (195, 215), (300, 250, 20), "610910", origin="PT"),
    item("Knitwear", "Merino Wool Crewneck Jumper, {v}", ("Charcoal / M", "Oatmeal / L",
         "Navy / M"), 7900, (370, 400), (330, 280, 50), "611011", origin="GB"),
    item("Knitwear", "Chunky Knit Beanie, {v}", ("Mustard", "Forest"), 2200, 95, (220, 200, 30),
         "650500", origin="GB"),
    item("Denim", "Selvedge Denim Jeans, Slim Fit, {v}", ("W30 L32", "W32 L32", "W34 L34"),
         9500, (820, 880), (350, 300, 50), "620342", origin="JP"),
    item("Outerwear", "Waxed Cotton Field Jacket, {v}", ("M", "L"), 18900, (1420, 1480),
         (450, 350, 90), "620130", origin="GB"),
    item("Accessories", "Lambswool Scarf, {v}", ("Tartan Red", "Heather Grey"), 3500, 160,
         (250, 180, 30), "621420", origin="GB"),
    item("Shirts", "Oxford Cotton Shirt, {v}", ("Blue / M", "White / L", "Blue / L"), 5500, 290,
         (320, 250, 40), "620520", origin="PT"),
    item("Socks", "Cotton Ankle Socks, 3-Pack, {v}", ("Black", "Mixed"), 1200, 120,
         (220, 110, 30), "611595", origin="TR"),
    item("Hats", "Wool Flat Cap, {v}", ("Herringbone / M", "Herringbone / L"), 3200, 110,
         (260, 210, 80), "650500", origin="GB"),
    item("Accessories", "Full-Grain Leather Belt, {v}", ("Tan / 34", "Black / 36"), 4200, 190,
         (200, 120, 50), "420330", origin="GB"),
    item("Dresses", "Linen Summer Dress, {v}", ("Sage / 10", "Sand / 12", "Sage / 14"), 6800,
         320, (330, 260, 40), "620449", origin="LT"),
    item("Accessories", "Heavyweight Canvas Tote Bag", "", 1800, 240, (380, 350, 15), "420222",
         origin="IN"),
    item("Accessories", "Fleece-Lined Waterproof Gloves, {v}", ("M", "L"), 2800, 140,
         (250, 130, 30), "621600", origin="CN"),
    item("Nightwear", "Brushed Cotton Pyjama Set, {v}", ("S", "M"), 4500, 450, (330, 270, 50),
         "620721", origin="PT"),
    gift_cards("£", (2500, 5000, 10000), "Thread & Loom"),
)

BEAUTY = (
    item("Skincare", "Hyaluronic Acid Serum, 30 ml", "", 2495, 110, (125, 45, 45), "330499"),
    item("Skincare", "Vitamin C Brightening Serum, 30 ml", "", 3295, 115, (125, 45, 45),
         "330499"),
    item("Skincare", "Daily Moisturiser SPF 30, 50 ml", "", 2895, 95, (150, 50, 40), "330499"),
    item("Skincare", "Retinol Night Cream, 50 ml", "", 3495, 140, (75, 75, 70), "330499"),
    item("Skincare", "Caffeine Eye Cream, 15 ml", "", 1995, 45, (110, 35, 30), "330499"),
    item("Skincare", "Mineral Sunscreen SPF 50, 100 ml", "", 1995, 135, (170, 55, 40), "330499"),
    item("Skincare", "Micellar Cleansing Water, 400 ml", "", 995, 440, (220, 75, 75), "330499"),
    item("Skincare", "Sheet Mask Club: Hydrating 5-Pack Every Month", "", 1495, 140,
         (190, 130, 20), "330499", origin="KR", subscription=True),
    item("Cleansers", "Gentle Foaming Cleanser, {v}", ("150 ml", "400 ml"), (1495, 2995),
         (190, 460), ((160, 55, 55), (215, 75, 75)), "340130"),
    item("Hair care", "Repair Shampoo, {v}", ("250 ml", "500 ml"), (1295, 1995), (290, 560),
         ((190, 65, 45), (235, 80, 55)), "330510"),
    item("Hair care", "Repair Conditioner, {v}", ("250 ml", "500 ml"), (1395, 2095),
         (295, 570), ((190, 65, 45), (235, 80, 55)), "330590"),
    item("Hair care", "Strong Hold Hairspray, 250 ml", "", 995, 265, (225, 55, 55), "330520",
         restricted=True),
    item("Hair care", "Dry Shampoo Spray, 200 ml", "", 1195, 230, (200, 55, 55), "330590",
         restricted=True),
    item("Body care", "Deodorant Spray, 150 ml, {v}", ("Alpine Fresh", "Unscented"), 695, 160,
         (160, 50, 50), "330720", restricted=True),
    item("Body care", "Shea Butter Body Lotion, {v}", ("250 ml", "500 ml"), (1495, 2295),
         (290, 560), ((190, 65, 45), (235, 80, 55)), "330499"),
    item("Fragrance", "Eau de Parfum, {v}", ("Alpine Rose 50 ml", "Cedar & Vetiver 50 ml",
         "Alpine Rose 100 ml"), (5900, 5900, 8900), (280, 280, 420), (110, 80, 60), "330300",
         origin="FR", restricted=True),
    item("Makeup", "Matte Lipstick, {v}", ("Rosewood", "Classic Red", "Nude Beige", "Berry"),
         1695, 30, (90, 30, 30), "330410", origin="IT"),
    item("Makeup", "Nail Polish, 10 ml, {v}", ("Glacier Blue", "Ruby", "Blush"), 995, 55,
         (70, 35, 35), "330430", origin="FR"),
    item("Lip care", "Lip Balm Trio", "", 995, 32, (90, 60, 20), "330499"),
    item("Tools", "Bamboo Facial Cleansing Brush", "", 1295, 70, (150, 50, 40), "960329",
         origin="CN"),
    item("Tools", "Natural Bristle Hair Brush", "", 2495, 120, (230, 70, 45), "960329"),
    item("Tools", "Konjac Sponges, 2-Pack", "", 1195, 35, (120, 90, 45), "330499", origin="KR"),
    gift_cards("€", (2500, 5000), "Alpenglow"),
)

# fmt: on

# (title, author, pages, hardcover too?): public-domain classics and local favourites.
BOOKS: tuple[tuple[str, str, int, bool], ...] = (
    ("Anne of Green Gables", "L. M. Montgomery", 320, True),
    ("Roughing It in the Bush", "Susanna Moodie", 368, False),
    ("Pride and Prejudice", "Jane Austen", 432, True),
    ("Moby-Dick", "Herman Melville", 720, True),
    ("The Call of the Wild", "Jack London", 128, False),
    ("Frankenstein", "Mary Shelley", 288, True),
    ("Jane Eyre", "Charlotte Brontë", 532, True),
    ("The Great Gatsby", "F. Scott Fitzgerald", 180, True),
    ("Little Women", "Louisa May Alcott", 480, False),
    ("The Adventures of Sherlock Holmes", "Arthur Conan Doyle", 307, True),
    ("Meditations", "Marcus Aurelius", 254, False),
    ("Sunshine Sketches of a Little Town", "Stephen Leacock", 264, False),
    ("Wuthering Heights", "Emily Brontë", 416, False),
    ("The Picture of Dorian Gray", "Oscar Wilde", 272, False),
)

NICHES: dict[str, tuple[Item, ...]] = {
    "volt": ELECTRONICS,
    "hearth": KITCHEN,
    "summit": OUTDOOR,
    "thread": APPAREL,
    "alpenglow": BEAUTY,
}


def book_items() -> tuple[Item, ...]:
    """Each title as a paperback and an e-book, the popular ones in hardcover too."""
    items: list[Item] = []
    for title, author, pages, hardcover in BOOKS:
        name = f"{title} by {author}"
        paper = _ninety_nine(1299 + pages * 2)
        items.append(
            item(
                "Books",
                f"{name} (Paperback)",
                "",
                paper,
                60 + pages * 55 // 100,
                (198, 129, 8 + pages * 6 // 100),
                "490199",
            )
        )
        if hardcover:
            items.append(
                item(
                    "Books",
                    f"{name} (Hardcover)",
                    "",
                    paper + 1400,
                    250 + pages * 75 // 100,
                    (235, 160, 14 + pages * 7 // 100),
                    "490199",
                )
            )
        items.append(
            item(
                "E-books",
                f"{name} (E-Book)",
                "",
                _ninety_nine(499 + pages),
                0,
                (0, 0, 0),
                None,
                digital=True,
            )
        )
    items.append(gift_cards("$", (2500, 5000), "Northleaf Books"))
    return tuple(items)


def _ninety_nine(minor: int) -> int:
    return (minor + 50) // 100 * 100 - 1


NICHES["northleaf"] = book_items()

// Seeds a small, deterministic catalog through the admin API so the browser
// tests know what to look for. Usage: node seed.mjs <base-url> <admin-token>
const [base, token] = process.argv.slice(2);
if (!base || !token) {
  console.error('usage: node seed.mjs <base-url> <admin-token>');
  process.exit(2);
}

async function call(method, path, body) {
  const res = await fetch(base + '/api/v1' + path, {
    method,
    headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const tree = [
  ['Electronics', ['Audio', 'Laptops', 'Phones', 'Cameras']],
  ['Home & Kitchen', ['Kitchen', 'Furniture', 'Lighting']],
  ['Sports & Outdoors', ['Cycling', 'Camping']],
  ['Books', []],
  ['Toys & Games', []],
];
const cat = {};
let pos = 0;
for (const [name, kids] of tree) {
  const c = await call('POST', '/admin/categories', { name, position: pos++ });
  cat[name] = c.category_id;
  for (const k of kids) cat[k] = (await call('POST', '/admin/categories', { name: k, parent_id: c.category_id, position: pos++ })).category_id;
}

// name, brand, category, price, sale price, stock, specs
const products = [
  ['Wireless Bluetooth Headphones', 'SoundWave', 'Audio', 99.99, 84.99, 50, { Color: 'Black', Battery: '30 hours', Connectivity: 'Bluetooth 5.3' }],
  ['Wireless Earbuds Pro', 'SoundWave', 'Audio', 149.0, null, 40, { Color: 'White', 'Noise cancelling': 'Yes' }],
  ['Studio Monitor Headphones', 'AudioPro', 'Audio', 129.5, null, 25, { Impedance: '38 ohm', Cable: '3 m coiled' }],
  ['Portable Bluetooth Speaker', 'AudioPro', 'Audio', 59.99, 44.99, 8, { Waterproof: 'IPX7', Battery: '12 hours' }],
  ['Noise Cancelling Headphones', 'QuietTech', 'Audio', 249.0, 199.0, 15, { Color: 'Silver', Battery: '40 hours' }],
  ['Wired Earphones', 'QuietTech', 'Audio', 19.99, null, 200, { Cable: '1.2 m' }],
  ['Ultrabook 14 Laptop', 'Northbook', 'Laptops', 1099.0, 999.0, 12, { CPU: '8-core', RAM: '16 GB', Storage: '512 GB SSD', Display: '14" 2.8K' }],
  ['Gaming Laptop 16', 'Northbook', 'Laptops', 1799.0, null, 5, { GPU: 'RTX class', RAM: '32 GB' }],
  ['Chromebook 11', 'Brightline', 'Laptops', 279.0, 249.0, 30, { RAM: '4 GB', Storage: '64 GB' }],
  ['Smartphone X12', 'Pixelon', 'Phones', 799.0, null, 20, { Storage: '128 GB', Camera: '50 MP' }],
  ['Smartphone Lite', 'Pixelon', 'Phones', 349.0, 299.0, 0, { Storage: '64 GB' }],
  ['Phone Case Rugged', 'Brightline', 'Phones', 24.99, null, 120, { Material: 'TPU' }],
  ['Mirrorless Camera M50', 'Lumix', 'Cameras', 649.0, 579.0, 9, { Sensor: 'APS-C', Video: '4K' }],
  ['Action Camera 4K', 'Lumix', 'Cameras', 199.0, null, 35, { Waterproof: '10 m' }],
  ['Stainless Steel Chef Knife', 'KitchenCraft', 'Kitchen', 45.0, 35.0, 60, { Blade: '20 cm', Steel: 'German' }],
  ['Cast Iron Skillet', 'KitchenCraft', 'Kitchen', 39.99, null, 45, { Diameter: '26 cm' }],
  ['Espresso Machine', 'Barista', 'Kitchen', 329.0, 279.0, 7, { Pressure: '15 bar', Tank: '1.5 l' }],
  ['Electric Kettle', 'Barista', 'Kitchen', 34.99, null, 80, { Capacity: '1.7 l' }],
  ['Oak Coffee Table', 'Nordhaus', 'Furniture', 249.0, null, 6, { Material: 'Solid oak', Size: '110 x 60 cm' }],
  ['Ergonomic Office Chair', 'Nordhaus', 'Furniture', 289.0, 239.0, 18, { Adjustable: 'Height, arms, lumbar' }],
  ['LED Desk Lamp', 'Glowline', 'Lighting', 29.99, 24.99, 90, { Brightness: '800 lm', 'Color temperature': '2700-6500 K' }],
  ['Smart Light Bulb 4-pack', 'Glowline', 'Lighting', 49.99, null, 3, { Fitting: 'E27', Connectivity: 'Wi-Fi' }],
  ['Road Bike Helmet', 'VeloMax', 'Cycling', 79.0, 59.0, 22, { Weight: '250 g', Sizes: 'S, M, L' }],
  ['Bike Light Set', 'VeloMax', 'Cycling', 25.0, null, 70, { Battery: 'USB-C rechargeable' }],
  ['Two-Person Tent', 'TrailPeak', 'Camping', 189.0, 159.0, 11, { Weight: '1.9 kg', Season: '3-season' }],
  ['Sleeping Bag', 'TrailPeak', 'Camping', 89.0, null, 26, { 'Comfort temperature': '2 °C' }],
  ['The Pragmatic Programmer', 'Addison', 'Books', 42.0, 36.5, 40, { Pages: 352, Format: 'Paperback' }],
  ['Cooking for Everyone', 'Harbor Press', 'Books', 28.0, null, 33, { Pages: 288, Format: 'Hardcover' }],
  ['Wooden Building Blocks', 'PlayWell', 'Toys & Games', 32.0, null, 55, { Pieces: 100, Age: '3+' }],
  ['Strategy Board Game', 'PlayWell', 'Toys & Games', 44.99, 39.99, 4, { Players: '2-5', Age: '10+' }],
  ['<script>alert(1)</script> Gadget', '<img src=x onerror=alert(2)>', 'Electronics', 9.99, null, 10, { '<b>bold</b>': '<i>x</i>' }],
];

let i = 0;
for (const [name, brand, c, price, sale, stock, specs] of products) {
  const created = await call('POST', '/admin/products', {
    name, brand, category_id: cat[c], price, sale_price: sale, stock, specifications: specs,
    description: `${name} by ${brand}. A customer favourite, built to last and backed by our 30-day returns.\nShips in 2-3 business days.`,
    featured: i++ % 5 === 0,
  });
  const id = created.product_id;
  const n = 1 + (Number(id) % 3);
  const images = Array.from({ length: n }, (_, k) => ({ url: `/images/products/${id}/${k + 1}.svg`, alt: `${name}, view ${k + 1}` }));
  await call('PATCH', '/admin/products/' + id, { images });
}
console.log(`seeded ${Object.keys(cat).length} categories and ${products.length} products`);

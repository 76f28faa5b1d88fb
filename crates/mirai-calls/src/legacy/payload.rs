//! The `payload` of a legacy call: what the assistant needs to know about this customer.
//!
//! Its shape depends on the assistant's variant ([`InitiateCallRequest` in the swagger][swagger]): an abandoned
//! cart, a Shopify order, a courier's non-delivery report, or any object for a custom assistant. Fields are named as
//! in Rust and sent as Mirai spells them (`first_name` as `firstName`); optional fields left `None` are not sent.
//!
//! [swagger]: https://docs.miraiminds.co/api-reference/call/initiate-call

use call_core::provider_kit::ErrorExt;
use call_core::{Error, ErrorKind};
use serde::Serialize;
use serde_json::{Map, Value};

/// The per-call data an assistant works with, by assistant variant.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CallPayload {
    /// For `abandoned_cart` assistants.
    AbandonedCart(AbandonedCartPayload),
    /// For `cod_to_prepaid`, `address_verification` and `order_confirmation` assistants.
    ShopifyOrder(ShopifyOrderPayload),
    /// For `ndr_followup` assistants.
    NdrFollowup(NdrFollowupPayload),
    /// For `custom` assistants: any object, its keys matching the assistant's input schema.
    Custom(Map<String, Value>),
}

impl CallPayload {
    /// Checks what the swagger requires and the types cannot say (at least one line item, quantities of at least 1).
    pub(crate) fn validate(&self) -> call_core::Result<()> {
        match self {
            CallPayload::AbandonedCart(cart) => {
                if cart.line_items.is_empty() {
                    return Err(invalid(
                        "an abandoned cart payload needs at least one line item",
                    ));
                }
                if cart.line_items.iter().any(|item| item.quantity < 1) {
                    return Err(invalid("a line item's quantity must be at least 1"));
                }
                Ok(())
            }
            CallPayload::ShopifyOrder(order) => {
                if order.line_items.is_empty() {
                    return Err(invalid(
                        "a Shopify order payload needs at least one line item",
                    ));
                }
                Ok(())
            }
            CallPayload::NdrFollowup(_) | CallPayload::Custom(_) => Ok(()),
        }
    }

    /// The payload as JSON.
    pub(crate) fn to_value(&self) -> call_core::Result<Value> {
        let value = match self {
            CallPayload::AbandonedCart(p) => serde_json::to_value(p),
            CallPayload::ShopifyOrder(p) => serde_json::to_value(p),
            CallPayload::NdrFollowup(p) => serde_json::to_value(p),
            CallPayload::Custom(map) => Ok(Value::Object(map.clone())),
        };
        value.map_err(|e| invalid("the payload could not be encoded as JSON").with_source(e))
    }
}

fn invalid(what: &'static str) -> Error {
    Error::new(ErrorKind::InvalidInput, what)
}

impl From<AbandonedCartPayload> for CallPayload {
    fn from(p: AbandonedCartPayload) -> Self {
        CallPayload::AbandonedCart(p)
    }
}

impl From<ShopifyOrderPayload> for CallPayload {
    fn from(p: ShopifyOrderPayload) -> Self {
        CallPayload::ShopifyOrder(p)
    }
}

impl From<NdrFollowupPayload> for CallPayload {
    fn from(p: NdrFollowupPayload) -> Self {
        CallPayload::NdrFollowup(p)
    }
}

impl From<Map<String, Value>> for CallPayload {
    fn from(map: Map<String, Value>) -> Self {
        CallPayload::Custom(map)
    }
}

/// `AbandonedCartPayload`: a Shopify abandoned checkout, for `abandoned_cart` assistants.
///
/// Mirai refuses unknown fields here (`additionalProperties: false`), so this type has exactly the documented ones.
/// Money amounts are strings (`"1895.0"`), as Shopify sends them.
///
/// ```
/// use mirai_calls::legacy::{AbandonedCartPayload, CartCustomer, CartLineItem, PriceSet};
///
/// let mut cart = AbandonedCartPayload::new(
///     CartCustomer::new("John", "+919876543210"),
///     vec![CartLineItem::new("Sample Product", 1)],
///     PriceSet::new("1895.0"),
/// );
/// cart.abandoned_checkout_url = Some("https://example-store.myshopify.com/checkouts/ac/abc/recover".into());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AbandonedCartPayload {
    /// Shopify's abandoned checkout id (`gid://shopify/AbandonedCheckout/...`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The checkout's recovery URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abandoned_checkout_url: Option<String>,
    /// The customer (required).
    pub customer: CartCustomer,
    /// Discount codes applied to the cart.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub discount_codes: Vec<String>,
    /// The line items' total (required).
    pub total_line_items_price_set: PriceSet,
    /// The total discount (required).
    pub total_discount_set: PriceSet,
    /// The subtotal (required).
    pub subtotal_price_set: PriceSet,
    /// The total price (required).
    pub total_price_set: PriceSet,
    /// Whether prices include taxes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub taxes_included: Option<bool>,
    /// The tax lines.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tax_lines: Vec<TaxLine>,
    /// The products in the cart (required, at least one).
    pub line_items: Vec<CartLineItem>,
    /// The billing address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<BillingAddress>,
    /// The shipping address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<CartShippingAddress>,
}

impl AbandonedCartPayload {
    /// A cart with its required fields; every price set starts at `total` and the discount at `"0.0"`. Change the
    /// public fields for the rest.
    pub fn new(customer: CartCustomer, line_items: Vec<CartLineItem>, total: PriceSet) -> Self {
        AbandonedCartPayload {
            id: None,
            abandoned_checkout_url: None,
            customer,
            discount_codes: Vec::new(),
            total_line_items_price_set: total.clone(),
            total_discount_set: PriceSet::new("0.0"),
            subtotal_price_set: total.clone(),
            total_price_set: total,
            taxes_included: None,
            tax_lines: Vec::new(),
            line_items,
            billing_address: None,
            shipping_address: None,
        }
    }
}

/// The customer of an abandoned cart.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CartCustomer {
    /// First name (required).
    pub first_name: String,
    /// Last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Email (nullable in the swagger; `None` is not sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number (required; E.164 recommended).
    pub phone: String,
}

impl CartCustomer {
    /// A customer with the required first name and phone number.
    pub fn new(first_name: impl Into<String>, phone: impl Into<String>) -> Self {
        CartCustomer {
            first_name: first_name.into(),
            last_name: None,
            email: None,
            phone: phone.into(),
        }
    }
}

/// A Shopify money set, sent as `{"shopMoney": {"amount": "1895.0"}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PriceSet {
    /// The amount, as a decimal string (`"1895.0"`).
    pub amount: String,
}

impl PriceSet {
    /// A money set of `amount` (a decimal string, as Shopify sends it).
    pub fn new(amount: impl Into<String>) -> Self {
        PriceSet {
            amount: amount.into(),
        }
    }
}

impl Serialize for PriceSet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct ShopMoney<'a> {
            amount: &'a str,
        }
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Set<'a> {
            shop_money: ShopMoney<'a>,
        }
        Set {
            shop_money: ShopMoney {
                amount: &self.amount,
            },
        }
        .serialize(serializer)
    }
}

/// A tax line of an abandoned cart.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TaxLine {
    /// The rate as a fraction (`0.05`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// The rate in percent (`5`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_percentage: Option<f64>,
    /// Where the tax comes from (nullable in the swagger; `None` is not sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The tax's name (`IGST`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The amount, as a decimal string (`"90.24"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<String>,
}

impl TaxLine {
    /// An empty tax line; set the public fields.
    pub fn new() -> Self {
        TaxLine::default()
    }
}

/// A product in an abandoned cart.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CartLineItem {
    /// The product's title (required).
    pub title: String,
    /// How many (required, at least 1).
    pub quantity: u32,
    /// The product variant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<ProductVariant>,
}

impl CartLineItem {
    /// A line item of `quantity` of `title`.
    pub fn new(title: impl Into<String>, quantity: u32) -> Self {
        CartLineItem {
            title: title.into(),
            quantity,
            variant: None,
        }
    }
}

/// A Shopify product variant (both fields required when the variant is sent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ProductVariant {
    /// The variant id (`gid://shopify/ProductVariant/...`).
    pub id: String,
    /// The variant's title (`Default / Standard / Regular`).
    pub title: String,
}

impl ProductVariant {
    /// A variant.
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Self {
        ProductVariant {
            id: id.into(),
            title: title.into(),
        }
    }
}

/// The billing address of an abandoned cart.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct BillingAddress {
    /// Country (`India`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl BillingAddress {
    /// An empty billing address; set the public fields.
    pub fn new() -> Self {
        BillingAddress::default()
    }
}

/// The shipping address of an abandoned cart.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CartShippingAddress {
    /// Country (`India`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// First address line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address1: Option<String>,
    /// Second address line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address2: Option<String>,
    /// City.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Province or state (`DL`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    /// Province code (`DL`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province_code: Option<String>,
    /// Postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    /// Phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl CartShippingAddress {
    /// An empty shipping address; set the public fields.
    pub fn new() -> Self {
        CartShippingAddress::default()
    }
}

/// `ShopifyOrderPayload`: a Shopify order, for `cod_to_prepaid`, `address_verification` and `order_confirmation`
/// assistants.
///
/// Mirai accepts more fields than documented here (`additionalProperties: true`): put them in
/// [`extra`](Self::extra).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ShopifyOrderPayload {
    /// The order's name (`#1093`, required).
    pub name: String,
    /// The customer (required).
    pub customer: OrderCustomer,
    /// The total price, as a decimal string (`"1895.00"`, required).
    pub total_price: String,
    /// The products (required, at least one).
    pub line_items: Vec<OrderLineItem>,
    /// Discount codes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub discount_codes: Vec<OrderDiscountCode>,
    /// The order's financial status (`pending`), used by `order_confirmation` to detect the payment mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub financial_status: Option<String>,
    /// Payment gateways (`cash_on_delivery`), used by `order_confirmation` to detect the payment mode.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub payment_gateway_names: Vec<String>,
    /// The shipping address, used by `address_verification`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Address>,
    /// Further fields, sent as given.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ShopifyOrderPayload {
    /// An order with its required fields.
    pub fn new(
        name: impl Into<String>,
        customer: OrderCustomer,
        total_price: impl Into<String>,
        line_items: Vec<OrderLineItem>,
    ) -> Self {
        ShopifyOrderPayload {
            name: name.into(),
            customer,
            total_price: total_price.into(),
            line_items,
            discount_codes: Vec::new(),
            financial_status: None,
            payment_gateway_names: Vec::new(),
            shipping_address: None,
            extra: Map::new(),
        }
    }
}

/// The customer of an order or a non-delivery report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OrderCustomer {
    /// First name (required).
    pub first_name: String,
    /// Last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl OrderCustomer {
    /// A customer with the required first name.
    pub fn new(first_name: impl Into<String>) -> Self {
        OrderCustomer {
            first_name: first_name.into(),
            last_name: None,
            email: None,
            phone: None,
        }
    }
}

/// A product in a Shopify order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OrderLineItem {
    /// The product's title (required).
    pub title: String,
    /// How many (required; a JSON number in the swagger).
    pub quantity: f64,
    /// The variant's title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant_title: Option<String>,
}

impl OrderLineItem {
    /// A line item of `quantity` of `title`.
    pub fn new(title: impl Into<String>, quantity: f64) -> Self {
        OrderLineItem {
            title: title.into(),
            quantity,
            variant_title: None,
        }
    }
}

/// A discount code on a Shopify order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct OrderDiscountCode {
    /// The code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The amount, as a decimal string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    /// The discount's type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

impl OrderDiscountCode {
    /// A discount code.
    pub fn new(code: impl Into<String>) -> Self {
        OrderDiscountCode {
            code: Some(code.into()),
            ..OrderDiscountCode::default()
        }
    }
}

/// A postal address of an order or a non-delivery report.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Address {
    /// Full name (orders only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// First name (orders only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name (orders only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Phone number (orders only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// First address line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address1: Option<String>,
    /// Second address line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address2: Option<String>,
    /// City.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    /// Province or state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    /// Country.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

impl Address {
    /// An empty address; set the public fields.
    pub fn new() -> Self {
        Address::default()
    }
}

/// `NdrFollowupPayload`: a courier's non-delivery report, for `ndr_followup` assistants.
///
/// Mirai accepts more fields than documented here (`additionalProperties: true`): put them in
/// [`extra`](Self::extra).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NdrFollowupPayload {
    /// The air waybill number (required).
    pub awb: String,
    /// The courier's name (`Delhivery`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub courier_name: Option<String>,
    /// The courier's reason or a normalized code (`customer_unavailable`, required).
    pub ndr_reason: String,
    /// The courier's remark.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ndr_remark: Option<String>,
    /// How many delivery attempts were made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt_count: Option<f64>,
    /// The order id (`#1093`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// The items, in words (`one t-shirt`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_items: Option<String>,
    /// The cash-on-delivery amount, as a decimal string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cod_amount: Option<String>,
    /// The payment method (`COD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    /// The next delivery attempt's date (`2026-07-30`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_attempt_date: Option<String>,
    /// The customer (required).
    pub customer: OrderCustomer,
    /// The shipping address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Address>,
    /// Further fields, sent as given.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl NdrFollowupPayload {
    /// A report with its required fields.
    pub fn new(
        awb: impl Into<String>,
        ndr_reason: impl Into<String>,
        customer: OrderCustomer,
    ) -> Self {
        NdrFollowupPayload {
            awb: awb.into(),
            courier_name: None,
            ndr_reason: ndr_reason.into(),
            ndr_remark: None,
            attempt_count: None,
            order_id: None,
            order_items: None,
            cod_amount: None,
            payment_method: None,
            next_attempt_date: None,
            customer,
            shipping_address: None,
            extra: Map::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn abandoned_cart_has_the_documented_shape() {
        let mut cart = AbandonedCartPayload::new(
            CartCustomer::new("John", "+919876543210"),
            vec![CartLineItem::new("Sample", 1)],
            PriceSet::new("1895.0"),
        );
        cart.line_items[0].variant = Some(ProductVariant::new("gid://v/1", "Default"));
        let value = CallPayload::from(cart).to_value().unwrap();
        assert_eq!(
            value,
            json!({
                "customer": {"firstName": "John", "phone": "+919876543210"},
                "totalLineItemsPriceSet": {"shopMoney": {"amount": "1895.0"}},
                "totalDiscountSet": {"shopMoney": {"amount": "0.0"}},
                "subtotalPriceSet": {"shopMoney": {"amount": "1895.0"}},
                "totalPriceSet": {"shopMoney": {"amount": "1895.0"}},
                "lineItems": [{"title": "Sample", "quantity": 1, "variant": {"id": "gid://v/1", "title": "Default"}}]
            })
        );
    }

    #[test]
    fn validation_catches_what_types_cannot() {
        let empty = AbandonedCartPayload::new(
            CartCustomer::new("John", "+919876543210"),
            vec![],
            PriceSet::new("1"),
        );
        assert!(CallPayload::from(empty).validate().is_err());
        let zero = AbandonedCartPayload::new(
            CartCustomer::new("John", "+919876543210"),
            vec![CartLineItem::new("x", 0)],
            PriceSet::new("1"),
        );
        assert!(CallPayload::from(zero).validate().is_err());
        let order = ShopifyOrderPayload::new("#1", OrderCustomer::new("J"), "1.00", vec![]);
        assert!(CallPayload::from(order).validate().is_err());
    }
}

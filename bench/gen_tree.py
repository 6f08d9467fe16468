#!/usr/bin/env python3
"""Generate a large synthetic multi-language source tree for benchmarking `makepay-migrate scan`.

The tree looks like a busy monorepo of a shop: PHP, JavaScript, TypeScript, Python, Go, Java,
C#, Ruby and Rust sources, JSON fixtures, YAML deploy files and `.env` files, nested a few levels
deep. Generic payment words (amount, status, address, sign, merchant, order_id, paid, pending...)
are everywhere, because that is what makes naive scanners slow and noisy; real OxaPay/Cryptomus
usage is sparse (about 0.1% of the files). It also holds the usual bait: a package-lock.json full
of `"integrity": "sha512-..."` lines, a git-ignored node_modules/ with files in it (a `.git`
directory makes the `.gitignore` apply, as both ripgrep and the `ignore` crate require), one binary
file, a minified bundle with very long lines and a large generated JSON file.

Output is deterministic: the same --seed and --size-mb give byte-identical trees. Standard
library only. A manifest (`.bench-manifest.json`, git-ignored so neither tool reads it) records
the parameters, the byte and file counts of the searchable part of the tree and which files
carry provider usage.

Usage: gen_tree.py --out DIR [--size-mb 200] [--seed 20240601] [--check]
"""

import argparse
import base64
import json
import os
import random
import shutil
import sys
import time

GENERATOR_VERSION = 1
MANIFEST = ".bench-manifest.json"
KB = 1024
MB = 1024 * 1024

# ---------------------------------------------------------------------------------------------
# Vocabulary. Nothing here may contain a provider name or a provider-specific term (oxapay,
# cryptomus, merchant_api_key, trackId, url_callback, payLink...), in any combination: "api",
# "track", "link" and "url" are deliberately absent so joined identifiers cannot form them.
# ---------------------------------------------------------------------------------------------

PAYMENT_WORDS = (
    "amount status address sign signature merchant order paid pending currency invoice payment "
    "wallet network refund fee total price checkout callback webhook hash digest balance ledger "
    "payout deposit withdraw settlement transfer rate exchange expired underpaid confirmed failed "
    "receipt charge customer nonce token secret txid memo chain asset coin"
).split()
GENERIC_WORDS = (
    "user account item cart session request response handler service client config cache queue "
    "event notify timestamp created updated record entry batch report summary product sku quantity "
    "discount tax shipping billing profile email phone country region locale retry timeout limit "
    "offset page filter sort query result error message code state flow step job worker task "
    "schedule metric log audit key uuid reference external internal gateway channel route path "
    "host port name value data list map index count size buffer stream reader writer parser "
    "builder factory manager store repo model view form field label title description note "
    "tenant group role permission policy rule scope context option setting flag feature version"
).split()
WORDS = PAYMENT_WORDS + GENERIC_WORDS
VERBS = (
    "get set create update delete find load save build parse validate compute apply handle "
    "process fetch send verify check resolve render format normalize merge sync refresh mark "
    "emit collect reconcile schedule cancel capture release lock").split()
STATUSES = ("pending", "paid", "confirmed", "expired", "failed", "refunded", "underpaid",
            "waiting", "cancelled", "processing", "completed", "new", "partially_paid")
CURRENCIES = ("USD", "EUR", "GBP", "BTC", "ETH", "USDT", "USDC", "LTC", "TRX", "BNB", "DOGE")
NETWORKS = ("TRC20", "ERC20", "BEP20", "Bitcoin", "Polygon", "Solana", "Tron", "Arbitrum")
FIELDS = ("amount", "status", "address", "sign", "merchant", "order_id", "currency", "network",
          "paid_amount", "fee", "txid", "created_at", "updated_at", "expires_at", "customer_id",
          "email", "description", "callback_url", "return_url", "invoice_id", "payment_id",
          "wallet_address", "confirmations", "is_paid", "is_pending", "signature", "merchant_id",
          "reference", "total", "balance", "memo", "rate", "payer_email", "note")
SENTENCES = (
    "Marks the order as paid once the amount and currency match the invoice.",
    "Pending payments are retried with exponential backoff until they expire.",
    "The merchant signature is checked before the status is trusted.",
    "Address validation is network specific; keep it in sync with the wallet service.",
    "Do not change the order status here: the reconciler owns that transition.",
    "Underpaid invoices are routed to manual review instead of failing silently.",
    "Amounts are kept in minor units to avoid floating point drift.",
    "Refunds go through the ledger so the balance stays consistent.",
    "The webhook may arrive twice; updates must be idempotent by order_id.",
    "Sign the payload with the shared secret and compare in constant time.",
    "Expired sessions release the reserved stock back to the catalogue.",
    "TODO: move the fee calculation into the pricing module.",
    "Callback handlers must answer quickly and defer heavy work to the queue.",
    "Customer email is optional for guest checkout.",
    "Exchange rates are cached for five minutes per currency pair.",
)
HEX = "0123456789abcdef"
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class Vocab:
    """Pre-built identifier pools so that per-chunk filling is a handful of random.choice calls."""

    def __init__(self, r):
        def words(n):
            return [r.choice(WORDS) for _ in range(n)]

        snake, camel, pascal, upper = set(), set(), set(), set()
        while len(snake) < 6000:
            ws = words(r.choice((1, 2, 2, 2, 3, 3)))
            snake.add("_".join(ws))
            camel.add(ws[0] + "".join(w.title() for w in ws[1:]))
            pascal.add("".join(w.title() for w in ws))
            upper.add("_".join(ws).upper())
        self.snake = sorted(snake)
        self.camel = sorted(camel)
        self.pascal = sorted(pascal)
        self.upper = sorted(upper)
        fnames = set()
        while len(fnames) < 4000:
            fnames.add(r.choice(VERBS) + "_" + "_".join(words(r.choice((1, 1, 2)))))
        self.fn_snake = sorted(fnames)
        self.fn_camel = sorted(f.split("_")[0] + "".join(w.title() for w in f.split("_")[1:])
                               for f in fnames)
        self.fn_pascal = sorted("".join(w.title() for w in f.split("_")) for f in fnames)


# ---------------------------------------------------------------------------------------------
# Chunk generators: each returns one realistic-looking top-level unit (function, class, block).
# ---------------------------------------------------------------------------------------------


def num(r):
    return r.choice(("0", "1", "2", "3", "10", "30", "60", "100", "250", "1000", "3600",
                     "86400", str(r.randint(2, 99999))))


def money(r):
    return f"{r.randint(1, 99999)}.{r.randint(0, 99):02d}"


def hexs(r, n):
    return "".join(r.choice(HEX) for _ in range(n))


def comment(r):
    return r.choice(SENTENCES)


def php_chunk(r, v):
    c = v.pascal
    f = v.fn_camel
    s = v.camel
    k = r.randrange(5)
    if k == 0:
        return f"""
    /**
     * {comment(r)}
     */
    public function {r.choice(f)}(array ${r.choice(s)}, ?string ${r.choice(s)} = null): array
    {{
        $order = $this->{r.choice(s)}Repository->find(${r.choice(s)}['order_id'] ?? null);
        if ($order === null || $order->status !== '{r.choice(STATUSES)}') {{
            throw new \\RuntimeException('{r.choice(c)} not found for merchant ' . $this->merchantId);
        }}
        $amount = bcmul((string) ${r.choice(s)}['amount'], '{num(r)}', 2);
        $payload = [
            'merchant' => $this->merchantId,
            'order_id' => $order->id,
            'amount' => $amount,
            'currency' => '{r.choice(CURRENCIES)}',
            'status' => '{r.choice(STATUSES)}',
            '{r.choice(FIELDS)}' => ${r.choice(s)},
        ];
        $payload['sign'] = hash_hmac('sha256', json_encode($payload), $this->secret);
        $this->logger->info('{r.choice(f)}', ['order' => $order->id, 'amount' => $amount]);
        return $payload;
    }}
"""
    if k == 1:
        return f"""
    public function {r.choice(f)}(Request $request): JsonResponse
    {{
        $validated = $request->validate([
            'amount' => 'required|numeric|min:{num(r)}',
            'address' => 'required|string|max:128',
            'currency' => 'required|in:{",".join(r.sample(CURRENCIES, 3))}',
            '{r.choice(FIELDS)}' => 'nullable|string',
        ]);
        ${r.choice(s)} = $this->{r.choice(s)}Service->{r.choice(f)}($validated);
        if (${r.choice(s)}->isPaid()) {{
            return response()->json(['status' => 'paid', 'order_id' => ${r.choice(s)}->orderId]);
        }}
        return response()->json(['status' => '{r.choice(STATUSES)}', 'retry_after' => {num(r)}], 202);
    }}
"""
    if k == 2:
        return f"""
    private function {r.choice(f)}(string $status, float $amount): string
    {{
        switch (strtolower($status)) {{
            case 'paid':
            case 'confirmed':
                return $amount >= $this->{r.choice(s)} ? 'paid' : 'underpaid';
            case 'pending':
            case 'waiting':
                return 'pending';
            case '{r.choice(STATUSES)}':
                return '{r.choice(STATUSES)}';
            default:
                $this->logger->warning('unknown status ' . $status);
                return 'failed';
        }}
    }}
"""
    if k == 3:
        return f"""
    protected ${r.choice(s)} = [
        'merchant' => env('{r.choice(v.upper)}', '{hexs(r, 16)}'),
        'address' => '{'T' + ''.join(r.choice(B58) for _ in range(33))}',
        'amount' => {money(r)},
        'status' => '{r.choice(STATUSES)}',
    ];

    public function {r.choice(f)}(): bool
    {{
        return in_array($this->status, ['paid', 'confirmed', '{r.choice(STATUSES)}'], true)
            && $this->amount > {num(r)};
    }}
"""
    return f"""
    // {comment(r)}
    public function {r.choice(f)}(int $orderId, string $sign): bool
    {{
        $expected = md5($orderId . $this->{r.choice(s)} . $this->secret);
        if (!hash_equals($expected, $sign)) {{
            return false;
        }}
        DB::table('{r.choice(v.snake)}s')->where('order_id', $orderId)->update(['status' => 'paid', 'paid_at' => now()]);
        return true;
    }}
"""


def php_file(r, v, chunks):
    ns = "\\".join(w.title() for w in r.sample(GENERIC_WORDS, 2))
    cls = r.choice(v.pascal)
    return (f"<?php\n\ndeclare(strict_types=1);\n\nnamespace App\\{ns};\n\n"
            f"use Illuminate\\Http\\Request;\nuse Illuminate\\Http\\JsonResponse;\n"
            f"use Illuminate\\Support\\Facades\\DB;\n\nfinal class {cls}\n{{\n"
            f"    private string $merchantId;\n    private string $secret;\n"
            + "".join(chunks) + "}\n")


def js_chunk(r, v, ts=False):
    f = v.fn_camel
    s = v.camel
    t = (lambda x: f": {x}") if ts else (lambda x: "")
    k = r.randrange(5)
    if k == 0:
        return f"""
/**
 * {comment(r)}
 */
export async function {r.choice(f)}({r.choice(s)}{t('OrderInput')}, {r.choice(s)}{t('string')} = '{r.choice(CURRENCIES)}'){t('Promise<PaymentState>')} {{
  const order = await db.orders.findOne({{ order_id: {r.choice(s)}.orderId }});
  if (!order || order.status === '{r.choice(STATUSES)}') {{
    throw new Error(`order ${{{r.choice(s)}.orderId}} is not payable`);
  }}
  const amount = Math.round(Number({r.choice(s)}.amount) * {num(r)}) / 100;
  const payload = {{
    merchant: config.merchantId,
    order_id: order.id,
    amount,
    currency: '{r.choice(CURRENCIES)}',
    network: '{r.choice(NETWORKS)}',
    {r.choice(s)}: {r.choice(s)},
  }};
  payload.sign = crypto.createHmac('sha256', config.secret).update(JSON.stringify(payload)).digest('hex');
  logger.info('{r.choice(f)}', {{ orderId: order.id, amount }});
  return {{ status: 'pending', address: order.address, amount }};
}}
"""
    if k == 1:
        return f"""
export function {r.choice(f)}(status{t('string')}){t('OrderStatus')} {{
  switch ((status || '').toLowerCase()) {{
    case 'paid':
    case 'confirmed':
      return 'paid';
    case 'pending':
    case 'waiting':
    case 'processing':
      return 'pending';
    case '{r.choice(STATUSES)}':
      return '{r.choice(STATUSES)}';
    default:
      return 'failed';
  }}
}}
"""
    if k == 2:
        return f"""
const {r.choice(s)} = {{
  amount: {money(r)},
  status: '{r.choice(STATUSES)}',
  address: '0x{hexs(r, 40)}',
  merchant: '{r.choice(v.snake)}',
  currency: '{r.choice(CURRENCIES)}',
  {r.choice(s)}: {num(r)},
}};

router.post('/{r.choice(v.snake).replace('_', '-')}/:id', async (req, res) => {{
  const {{ amount, address, sign }} = req.body;
  if (!verifySignature(req.rawBody, sign)) {{
    return res.status(401).json({{ error: 'bad sign' }});
  }}
  const result = await {r.choice(f)}(req.params.id, {{ amount, address }});
  res.json({{ status: result.paid ? 'paid' : 'pending', order_id: req.params.id }});
}});
"""
    if k == 3:
        if ts:
            return f"""
export interface {r.choice(v.pascal)} {{
  order_id: string;
  amount: number;
  status: '{r.choice(STATUSES)}' | '{r.choice(STATUSES)}' | 'paid' | 'pending';
  address?: string;
  merchant: string;
  {r.choice(v.snake)}: {r.choice(('string', 'number', 'boolean', 'Date'))};
}}

export class {r.choice(v.pascal)}Service {{
  constructor(private readonly {r.choice(s)}: {r.choice(v.pascal)}Repository) {{}}

  async {r.choice(f)}(id: string): Promise<number> {{
    const rows = await this.{r.choice(s)}.findPending(id);
    return rows.filter((o) => o.status === 'paid').reduce((acc, o) => acc + o.amount, 0);
  }}
}}
"""
        return f"""
class {r.choice(v.pascal)} {{
  constructor({r.choice(s)}, options = {{}}) {{
    this.{r.choice(s)} = {r.choice(s)};
    this.timeout = options.timeout || {num(r)};
    this.status = 'pending';
  }}

  async {r.choice(f)}(orderId) {{
    const res = await this.http.get(`/orders/${{orderId}}/payment`);
    this.status = res.data.status;
    return res.data.status === 'paid' && res.data.amount >= {money(r)};
  }}
}}
"""
    return f"""
// {comment(r)}
export const {r.choice(s)} = ({r.choice(s)}{t('Order[]')}) =>
  {r.choice(s)}
    .filter((o) => o.status === '{r.choice(STATUSES)}' || o.status === 'pending')
    .map((o) => ({{ ...o, amount: Number(o.amount), paid: o.status === 'paid', fee: o.amount * 0.{r.randint(1, 9)} }}))
    .sort((a, b) => b.amount - a.amount);
"""


def js_file(r, v, chunks, ts=False):
    head = ("import crypto from 'crypto';\nimport { db } from '../db';\n"
            "import { logger } from '../logger';\nimport config from '../config';\n")
    if ts:
        head += "import type { OrderInput, PaymentState, OrderStatus, Order } from './types';\n"
    else:
        head = "'use strict';\n\n" + head
    return head + "".join(chunks)


def py_chunk(r, v):
    f = v.fn_snake
    s = v.snake
    k = r.randrange(5)
    if k == 0:
        return f'''

def {r.choice(f)}({r.choice(s)}, {r.choice(s)}=None, *, currency="{r.choice(CURRENCIES)}"):
    """{comment(r)}"""
    order = Order.objects.filter(order_id={r.choice(s)}["order_id"]).first()
    if order is None or order.status == "{r.choice(STATUSES)}":
        raise PaymentError("order %s is not payable" % {r.choice(s)}["order_id"])
    amount = Decimal(str({r.choice(s)}["amount"])).quantize(Decimal("0.01"))
    payload = {{
        "merchant": settings.MERCHANT_ID,
        "order_id": order.pk,
        "amount": str(amount),
        "currency": currency,
        "status": "{r.choice(STATUSES)}",
        "{r.choice(FIELDS)}": {r.choice(s)},
    }}
    payload["sign"] = hmac.new(settings.SECRET.encode(), json.dumps(payload).encode(), hashlib.sha256).hexdigest()
    logger.info("{r.choice(f)} order=%s amount=%s", order.pk, amount)
    return payload
'''
    if k == 1:
        return f'''

class {r.choice(v.pascal)}(models.Model):
    order_id = models.CharField(max_length=64, db_index=True)
    amount = models.DecimalField(max_digits=18, decimal_places={r.choice((2, 8))})
    status = models.CharField(max_length=16, default="{r.choice(STATUSES)}")
    address = models.CharField(max_length=128, blank=True)
    {r.choice(s)} = models.{r.choice(("IntegerField()", "BooleanField(default=False)", "TextField(blank=True)"))}

    def {r.choice(f)}(self):
        return self.status in ("paid", "confirmed", "{r.choice(STATUSES)}")
'''
    if k == 2:
        return f'''

STATUS_MAP_{r.randint(1, 999)} = {{
    "paid": OrderStatus.PAID,
    "confirmed": OrderStatus.PAID,
    "pending": OrderStatus.PENDING,
    "waiting": OrderStatus.PENDING,
    "{r.choice(STATUSES)}": OrderStatus.{r.choice(STATUSES).upper()},
    "expired": OrderStatus.CANCELLED,
}}


def {r.choice(f)}(status: str, amount: Decimal, expected: Decimal) -> str:
    # {comment(r)}
    status = (status or "").lower()
    if status == "paid" and amount < expected:
        return "underpaid"
    return STATUS_MAP.get(status, "failed")
'''
    if k == 3:
        return f'''

@app.route("/{r.choice(s).replace('_', '/')}", methods=["POST"])
def {r.choice(f)}():
    body = request.get_json(force=True)
    sign = request.headers.get("X-Sign", "")
    if not verify_sign(request.get_data(), sign):
        abort(401)
    {r.choice(s)} = body.get("amount", 0)
    address = body.get("address")
    queue.enqueue({r.choice(f)}, body["order_id"], {r.choice(s)}, address, retry={num(r)})
    return jsonify(status="pending", order_id=body["order_id"])
'''
    return f'''

async def {r.choice(f)}(session, orders, limit={num(r)}):
    paid, pending = [], []
    for order in orders[:limit]:
        state = await session.get_status(order.order_id)
        (paid if state == "paid" else pending).append(order)
    metrics.gauge("{r.choice(s)}.pending", len(pending))
    return paid, pending
'''


def py_file(r, v, chunks):
    return ('"""' + comment(r) + '"""\n\nimport hashlib\nimport hmac\nimport json\nimport logging\n'
            "from decimal import Decimal\n\nfrom django.conf import settings\nfrom django.db import models\n\n"
            "from .errors import PaymentError\nfrom .models import Order, OrderStatus\n\n"
            "logger = logging.getLogger(__name__)\n" + "".join(chunks))


def go_chunk(r, v):
    f = v.fn_pascal
    s = v.camel
    k = r.randrange(4)
    if k == 0:
        return f"""
// {r.choice(f)} {comment(r).lower()}
func (s *Service) {r.choice(f)}(ctx context.Context, {r.choice(s)} string, amount decimal.Decimal) (*Payment, error) {{
	order, err := s.store.OrderByID(ctx, {r.choice(s)})
	if err != nil {{
		return nil, fmt.Errorf("load order %s: %w", {r.choice(s)}, err)
	}}
	if order.Status != "{r.choice(STATUSES)}" && order.Status != "pending" {{
		return nil, ErrNotPayable
	}}
	p := &Payment{{
		OrderID:  order.ID,
		Merchant: s.cfg.MerchantID,
		Amount:   amount.Mul(decimal.NewFromInt({num(r)})),
		Currency: "{r.choice(CURRENCIES)}",
		Status:   "pending",
		Address:  order.Address,
	}}
	mac := hmac.New(sha256.New, []byte(s.cfg.Secret))
	mac.Write([]byte(p.OrderID + p.Amount.String()))
	p.Sign = hex.EncodeToString(mac.Sum(nil))
	return p, s.store.SavePayment(ctx, p)
}}
"""
    if k == 1:
        return f"""
type {r.choice(v.pascal)} struct {{
	OrderID   string          `json:"order_id" db:"order_id"`
	Amount    decimal.Decimal `json:"amount" db:"amount"`
	Status    string          `json:"status" db:"status"`
	Address   string          `json:"address,omitempty" db:"address"`
	Sign      string          `json:"sign"`
	{r.choice(v.pascal)} {r.choice(("int64", "string", "bool", "time.Time"))} `json:"{r.choice(v.snake)}"`
}}
"""
    if k == 2:
        return f"""
func {r.choice(f)}(status string) OrderState {{
	switch strings.ToLower(status) {{
	case "paid", "confirmed":
		return StatePaid
	case "pending", "waiting", "processing":
		return StatePending
	case "{r.choice(STATUSES)}":
		return State{r.choice(STATUSES).title().replace('_', '')}
	default:
		return StateFailed
	}}
}}
"""
    return f"""
func (h *Handler) {r.choice(f)}(w http.ResponseWriter, r *http.Request) {{
	body, err := io.ReadAll(io.LimitReader(r.Body, {num(r)}<<10))
	if err != nil {{
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}}
	if !h.verify(body, r.Header.Get("Sign")) {{
		http.Error(w, "bad sign", http.StatusUnauthorized)
		return
	}}
	var evt struct {{
		OrderID string `json:"order_id"`
		Status  string `json:"status"`
		Amount  string `json:"amount"`
	}}
	_ = json.Unmarshal(body, &evt)
	h.queue.Push(evt.OrderID, evt.Status)
	w.WriteHeader(http.StatusOK)
}}
"""


def go_file(r, v, chunks):
    return (f"package {r.choice(GENERIC_WORDS)}\n\nimport (\n\t\"context\"\n\t\"crypto/hmac\"\n"
            "\t\"crypto/sha256\"\n\t\"encoding/hex\"\n\t\"encoding/json\"\n\t\"fmt\"\n\t\"io\"\n"
            "\t\"net/http\"\n\t\"strings\"\n\n\t\"github.com/shopspring/decimal\"\n)\n"
            + "".join(chunks))


def java_chunk(r, v):
    f = v.fn_camel
    s = v.camel
    k = r.randrange(4)
    if k == 0:
        return f"""
    /**
     * {comment(r)}
     */
    public PaymentResult {r.choice(f)}(String {r.choice(s)}, BigDecimal amount) {{
        Order order = orderRepository.findByOrderId({r.choice(s)})
                .orElseThrow(() -> new IllegalStateException("unknown order " + {r.choice(s)}));
        if (!"{r.choice(STATUSES)}".equals(order.getStatus()) && !"pending".equals(order.getStatus())) {{
            throw new PaymentException("order not payable: " + order.getStatus());
        }}
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("merchant", properties.getMerchantId());
        payload.put("order_id", order.getId());
        payload.put("amount", amount.setScale(2, RoundingMode.HALF_UP));
        payload.put("currency", "{r.choice(CURRENCIES)}");
        payload.put("{r.choice(FIELDS)}", {r.choice(s)});
        payload.put("sign", signer.sign(payload));
        log.info("{r.choice(f)} order={{}} amount={{}}", order.getId(), amount);
        return new PaymentResult("pending", order.getAddress(), amount);
    }}
"""
    if k == 1:
        return f"""
    private static OrderStatus {r.choice(f)}(String status) {{
        switch (status == null ? "" : status.toLowerCase(Locale.ROOT)) {{
            case "paid":
            case "confirmed":
                return OrderStatus.PAID;
            case "pending":
            case "waiting":
                return OrderStatus.PENDING;
            case "{r.choice(STATUSES)}":
                return OrderStatus.{r.choice(STATUSES).upper()};
            default:
                return OrderStatus.FAILED;
        }}
    }}
"""
    if k == 2:
        return f"""
    @PostMapping("/{r.choice(v.snake).replace('_', '-')}")
    public ResponseEntity<Map<String, String>> {r.choice(f)}(@RequestBody String raw,
            @RequestHeader("X-Sign") String sign) {{
        if (!signer.verify(raw, sign)) {{
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED).build();
        }}
        JsonNode body = mapper.readTree(raw);
        String orderId = body.path("order_id").asText();
        BigDecimal amount = new BigDecimal(body.path("amount").asText("0"));
        {r.choice(s)}Service.{r.choice(f)}(orderId, amount, body.path("status").asText("pending"));
        return ResponseEntity.ok(Map.of("status", "ok"));
    }}
"""
    return f"""
    private final {r.choice(v.pascal)}Repository {r.choice(s)}Repository;
    private BigDecimal {r.choice(s)} = new BigDecimal("{money(r)}");
    private String status = "{r.choice(STATUSES)}";
    private String address = "bc1q{hexs(r, 38)}";

    public boolean {r.choice(f)}() {{
        return "paid".equals(status) && {r.choice(s)}.compareTo(BigDecimal.valueOf({num(r)})) > 0;
    }}
"""


def java_file(r, v, chunks):
    pkg = ".".join(r.sample(GENERIC_WORDS, 2))
    return (f"package com.acme.{pkg};\n\nimport java.math.BigDecimal;\nimport java.math.RoundingMode;\n"
            "import java.util.*;\nimport org.springframework.http.*;\n"
            "import org.springframework.web.bind.annotation.*;\n"
            "import com.fasterxml.jackson.databind.JsonNode;\n\n@RestController\n"
            f"public class {r.choice(v.pascal)}Controller {{\n" + "".join(chunks) + "}\n")


def cs_chunk(r, v):
    f = v.fn_pascal
    s = v.camel
    k = r.randrange(3)
    if k == 0:
        return f"""
        /// <summary>{comment(r)}</summary>
        public async Task<PaymentResult> {r.choice(f)}Async(string {r.choice(s)}, decimal amount, CancellationToken ct = default)
        {{
            var order = await _db.Orders.SingleOrDefaultAsync(o => o.OrderId == {r.choice(s)}, ct);
            if (order is null || order.Status == "{r.choice(STATUSES)}")
                throw new InvalidOperationException($"order {{{r.choice(s)}}} is not payable");
            var payload = new Dictionary<string, object>
            {{
                ["merchant"] = _options.MerchantId,
                ["order_id"] = order.Id,
                ["amount"] = Math.Round(amount, 2),
                ["currency"] = "{r.choice(CURRENCIES)}",
                ["{r.choice(FIELDS)}"] = {r.choice(s)},
            }};
            payload["sign"] = _signer.Sign(JsonSerializer.Serialize(payload));
            _logger.LogInformation("{r.choice(f)} {{OrderId}} {{Amount}}", order.Id, amount);
            return new PaymentResult("pending", order.Address, amount);
        }}
"""
    if k == 1:
        return f"""
        public static OrderStatus {r.choice(f)}(string status) => (status ?? "").ToLowerInvariant() switch
        {{
            "paid" or "confirmed" => OrderStatus.Paid,
            "pending" or "waiting" => OrderStatus.Pending,
            "{r.choice(STATUSES)}" => OrderStatus.{r.choice(STATUSES).title().replace('_', '')},
            _ => OrderStatus.Failed,
        }};
"""
    return f"""
        public string {r.choice(v.pascal)} {{ get; set; }} = "{r.choice(STATUSES)}";
        public decimal Amount {{ get; set; }} = {money(r)}m;
        public string Address {{ get; set; }} = "0x{hexs(r, 40)}";

        public bool {r.choice(f)}() => Status == "paid" && Amount > {num(r)}m;
"""


def cs_file(r, v, chunks):
    ns = ".".join(w.title() for w in r.sample(GENERIC_WORDS, 2))
    return ("using System;\nusing System.Collections.Generic;\nusing System.Text.Json;\n"
            "using System.Threading;\nusing System.Threading.Tasks;\n\n"
            f"namespace Acme.{ns}\n{{\n    public sealed class {r.choice(v.pascal)}\n    {{\n"
            + "".join(chunks) + "    }\n}\n")


def rb_chunk(r, v):
    f = v.fn_snake
    s = v.snake
    k = r.randrange(3)
    if k == 0:
        return f"""
  # {comment(r)}
  def {r.choice(f)}({r.choice(s)}, amount, currency: "{r.choice(CURRENCIES)}")
    order = Order.find_by!(order_id: {r.choice(s)})
    raise PaymentError, "not payable" if order.status == "{r.choice(STATUSES)}"

    payload = {{
      merchant: ENV.fetch("MERCHANT_ID"),
      order_id: order.id,
      amount: format("%.2f", amount),
      currency: currency,
      {r.choice(FIELDS)}: {r.choice(s)}
    }}
    payload[:sign] = OpenSSL::HMAC.hexdigest("SHA256", secret, payload.to_json)
    Rails.logger.info("{r.choice(f)} order=#{{order.id}} amount=#{{amount}}")
    payload
  end
"""
    if k == 1:
        return f"""
  def {r.choice(f)}(status)
    case status.to_s.downcase
    when "paid", "confirmed" then :paid
    when "pending", "waiting" then :pending
    when "{r.choice(STATUSES)}" then :{r.choice(STATUSES)}
    else :failed
    end
  end
"""
    return f"""
  scope :{r.choice(s)}, -> {{ where(status: %w[pending {r.choice(STATUSES)}]).where("amount > ?", {num(r)}) }}
  validates :address, presence: true, length: {{ maximum: 128 }}
  validates :amount, numericality: {{ greater_than: 0 }}

  def {r.choice(f)}?
    status == "paid" && paid_at.present?
  end
"""


def rb_file(r, v, chunks):
    return (f"# frozen_string_literal: true\n\nclass {r.choice(v.pascal)} < ApplicationRecord\n"
            + "".join(chunks) + "end\n")


def rs_chunk(r, v):
    f = v.fn_snake
    s = v.snake
    k = r.randrange(3)
    if k == 0:
        return f"""
/// {comment(r)}
pub async fn {r.choice(f)}(pool: &PgPool, {r.choice(s)}: &str, amount: Decimal) -> Result<Payment> {{
    let order = sqlx::query_as::<_, Order>("SELECT * FROM orders WHERE order_id = $1")
        .bind({r.choice(s)})
        .fetch_one(pool)
        .await?;
    if order.status != "pending" && order.status != "{r.choice(STATUSES)}" {{
        bail!("order {{}} is not payable", order.order_id);
    }}
    let mut payment = Payment {{
        order_id: order.order_id.clone(),
        merchant: CONFIG.merchant_id.clone(),
        amount: amount * Decimal::from({num(r)}),
        currency: "{r.choice(CURRENCIES)}".into(),
        status: Status::Pending,
        address: order.address.clone(),
        sign: String::new(),
    }};
    payment.sign = sign_payload(&payment, &CONFIG.secret)?;
    Ok(payment)
}}
"""
    if k == 1:
        return f"""
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct {r.choice(v.pascal)} {{
    pub order_id: String,
    pub amount: Decimal,
    pub status: Status,
    pub address: Option<String>,
    pub {r.choice(s)}: {r.choice(("u64", "String", "bool", "i32"))},
}}
"""
    return f"""
pub fn {r.choice(f)}(status: &str) -> Status {{
    match status.to_ascii_lowercase().as_str() {{
        "paid" | "confirmed" => Status::Paid,
        "pending" | "waiting" => Status::Pending,
        "{r.choice(STATUSES)}" => Status::Failed,
        _ => Status::Unknown,
    }}
}}
"""


def rs_file(r, v, chunks):
    return ("use anyhow::{bail, Result};\nuse rust_decimal::Decimal;\n"
            "use serde::{Deserialize, Serialize};\nuse sqlx::PgPool;\n\n"
            "use crate::config::CONFIG;\nuse crate::model::{Order, Payment, Status};\n"
            + "".join(chunks))


def json_chunk(r, v):
    return (f'  {{"order_id": "ord_{hexs(r, 12)}", "amount": "{money(r)}", '
            f'"currency": "{r.choice(CURRENCIES)}", "status": "{r.choice(STATUSES)}", '
            f'"address": "0x{hexs(r, 40)}", "network": "{r.choice(NETWORKS)}", '
            f'"merchant": "{r.choice(v.snake)}", "paid": {r.choice(("true", "false"))}, '
            f'"sign": "{hexs(r, 32)}", "{r.choice(v.snake)}": {num(r)}, '
            f'"created_at": "2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:00Z"}},\n')


def json_file(r, v, chunks):
    body = "".join(chunks).rstrip(",\n")
    return "[\n" + body + "\n]\n"


def yaml_chunk(r, v):
    name = r.choice(v.snake).replace("_", "-")
    return f"""---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels:
    app: {name}
    tier: {r.choice(("payments", "orders", "checkout", "billing"))}
spec:
  replicas: {r.randint(1, 6)}
  template:
    spec:
      containers:
        - name: {name}
          image: registry.example.internal/{name}:{r.randint(1, 9)}.{r.randint(0, 30)}.{r.randint(0, 99)}
          env:
            - name: MERCHANT_ID
              value: "{hexs(r, 12)}"
            - name: {r.choice(v.upper)}
              value: "{r.choice(STATUSES)}"
            - name: PAYMENT_CALLBACK_URL
              value: "https://shop.example.com/{name}/callback"
            - name: DEFAULT_CURRENCY
              value: "{r.choice(CURRENCIES)}"
          resources:
            limits: {{ cpu: "{r.choice(('250m', '500m', '1'))}", memory: "{r.choice(('256Mi', '512Mi', '1Gi'))}" }}
"""


def yaml_file(r, v, chunks):
    return "".join(chunks)


LANGS = {
    # key: (extension, weight by bytes, chunk fn, file fn, source roots)
    "php": ("php", 16, php_chunk, php_file, ["shop/app/Http/Controllers", "shop/app/Services",
                                            "shop/app/Models", "shop/src", "plugins/checkout/lib"]),
    "js": ("js", 14, js_chunk, js_file, ["web/src", "web/server/routes", "admin/src/lib"]),
    "ts": ("ts", 14, lambda r, v: js_chunk(r, v, True), lambda r, v, c: js_file(r, v, c, True),
           ["dashboard/src/app", "dashboard/src/services", "packages/shared/src"]),
    "py": ("py", 12, py_chunk, py_file, ["services/billing/billing", "services/reports/reports",
                                         "scripts"]),
    "go": ("go", 10, go_chunk, go_file, ["services/ledger/internal", "services/ledger/pkg"]),
    "java": ("java", 9, java_chunk, java_file, ["services/orders/src/main/java/com/acme/orders"]),
    "cs": ("cs", 7, cs_chunk, cs_file, ["services/Checkout/src/Checkout.Api",
                                        "services/Checkout/src/Checkout.Core"]),
    "rb": ("rb", 6, rb_chunk, rb_file, ["legacy/storefront/app/models",
                                        "legacy/storefront/app/services"]),
    "rs": ("rs", 5, rs_chunk, rs_file, ["tools/reconciler/src"]),
    "json": ("json", 5, json_chunk, json_file, ["data/fixtures", "web/src/fixtures"]),
    "yaml": ("yaml", 2, yaml_chunk, yaml_file, ["deploy/k8s", "deploy/helm/templates"]),
}

# ---------------------------------------------------------------------------------------------
# Provider usage: the needles. One snippet per language, OxaPay or Cryptomus flavour.
# ---------------------------------------------------------------------------------------------

PROVIDER = {
    "php": ("""
    public function createOxaPayInvoice(Order $order): string
    {
        $res = Http::withHeaders(['merchant_api_key' => env('OXAPAY_MERCHANT_API_KEY')])
            ->post('https://api.oxapay.com/v1/payment/invoice', [
                'amount' => $order->amount,
                'currency' => 'USD',
                'order_id' => (string) $order->id,
                'callback_url' => route('oxapay.callback'),
            ]);
        $order->oxapay_track_id = $res->json('data.track_id');
        return $res->json('data.payment_url');
    }
""", """
    public function cryptomusCreatePayment(Order $order): array
    {
        $data = ['amount' => (string) $order->amount, 'currency' => 'USD', 'order_id' => $order->uuid,
                 'url_callback' => route('cryptomus.webhook')];
        $sign = md5(base64_encode(json_encode($data)) . config('services.cryptomus.payment_key'));
        return Http::withHeaders(['merchant' => config('services.cryptomus.merchant'), 'sign' => $sign])
            ->post('https://api.cryptomus.com/v1/payment', $data)->json('result');
    }
"""),
    "js": ("""
export async function createOxapayInvoice(order) {
  const res = await fetch('https://api.oxapay.com/v1/payment/invoice', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', merchant_api_key: process.env.OXAPAY_MERCHANT_API_KEY },
    body: JSON.stringify({ amount: order.amount, currency: 'USD', order_id: order.id, callback_url: CALLBACK }),
  });
  const { data } = await res.json();
  return { trackId: data.track_id, payLink: data.payment_url };
}
""", """
export async function cryptomusPayment(order) {
  const body = JSON.stringify({ amount: String(order.amount), currency: 'USD', order_id: order.id, url_callback: HOOK });
  const sign = crypto.createHash('md5').update(Buffer.from(body).toString('base64') + process.env.CRYPTOMUS_API_KEY).digest('hex');
  const res = await axios.post('https://api.cryptomus.com/v1/payment', body, {
    headers: { merchant: process.env.CRYPTOMUS_MERCHANT_ID, sign, 'Content-Type': 'application/json' },
  });
  return res.data.result.url;
}
"""),
    "ts": ("""
export class OxaPayClient {
  private readonly base = 'https://api.oxapay.com/v1';
  constructor(private readonly merchantApiKey: string = process.env.OXAPAY_MERCHANT_API_KEY!) {}

  async invoice(amount: number, orderId: string): Promise<{ trackId: string; payLink: string }> {
    const r = await this.http.post(`${this.base}/payment/invoice`, { amount, order_id: orderId },
      { headers: { merchant_api_key: this.merchantApiKey } });
    return { trackId: r.data.data.track_id, payLink: r.data.data.payment_url };
  }
}
""", """
import { Cryptomus } from 'cryptomus-sdk';

export const cryptomus = new Cryptomus({ merchant: env.CRYPTOMUS_MERCHANT_ID, paymentKey: env.CRYPTOMUS_PAYMENT_KEY });

export async function createCryptomusInvoice(orderId: string, amount: string) {
  return cryptomus.createPayment({ amount, currency: 'USD', order_id: orderId, url_callback: `${env.PUBLIC_URL}/hooks/cryptomus` });
}
"""),
    "py": ('''

OXAPAY_URL = "https://api.oxapay.com/v1/payment/invoice"


def create_oxapay_invoice(order):
    resp = requests.post(
        OXAPAY_URL,
        headers={"merchant_api_key": os.environ["OXAPAY_MERCHANT_API_KEY"]},
        json={"amount": float(order.amount), "currency": "USD", "order_id": str(order.pk),
              "callback_url": settings.OXAPAY_CALLBACK_URL},
        timeout=10,
    )
    data = resp.json()["data"]
    order.track_id = data["track_id"]
    return data["payment_url"]
''', '''

def cryptomus_sign(payload: dict) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return hashlib.md5(base64.b64encode(raw) + settings.CRYPTOMUS_API_KEY.encode()).hexdigest()


def create_cryptomus_payment(order):
    payload = {"amount": str(order.amount), "currency": "USD", "order_id": order.uuid,
               "url_callback": settings.CRYPTOMUS_CALLBACK}
    headers = {"merchant": settings.CRYPTOMUS_MERCHANT_UUID, "sign": cryptomus_sign(payload)}
    return requests.post("https://api.cryptomus.com/v1/payment", json=payload, headers=headers).json()
'''),
    "go": ("""
const oxapayInvoiceURL = "https://api.oxapay.com/v1/payment/invoice"

func (c *OxaPayClient) CreateInvoice(ctx context.Context, orderID string, amount float64) (string, error) {
	body, _ := json.Marshal(map[string]any{"amount": amount, "currency": "USD", "order_id": orderID})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, oxapayInvoiceURL, bytes.NewReader(body))
	req.Header.Set("merchant_api_key", os.Getenv("OXAPAY_MERCHANT_API_KEY"))
	var out struct{ Data struct{ TrackID string `json:"track_id"` } `json:"data"` }
	return out.Data.TrackID, c.do(req, &out)
}
""", """
func cryptomusSign(body []byte, key string) string {
	sum := md5.Sum([]byte(base64.StdEncoding.EncodeToString(body) + key))
	return hex.EncodeToString(sum[:])
}

const cryptomusBase = "https://api.cryptomus.com/v1"
"""),
    "java": ("""
    private static final String OXAPAY_INVOICE = "https://api.oxapay.com/v1/payment/invoice";

    public String createOxaPayInvoice(Order order) {
        HttpHeaders h = new HttpHeaders();
        h.set("merchant_api_key", System.getenv("OXAPAY_MERCHANT_API_KEY"));
        Map<String, Object> body = Map.of("amount", order.getAmount(), "order_id", order.getId(),
                "callback_url", callbackUrl);
        JsonNode res = rest.postForObject(OXAPAY_INVOICE, new HttpEntity<>(body, h), JsonNode.class);
        return res.path("data").path("track_id").asText();
    }
""", """
    public String cryptomusSign(String json) throws Exception {
        String b64 = Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
        byte[] d = MessageDigest.getInstance("MD5").digest((b64 + cryptomusApiKey).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(d); // posted to https://api.cryptomus.com/v1/payment
    }
"""),
    "cs": ("""
        private const string OxaPayInvoiceUrl = "https://api.oxapay.com/v1/payment/invoice";

        public async Task<string> CreateOxaPayInvoiceAsync(Order order)
        {
            using var req = new HttpRequestMessage(HttpMethod.Post, OxaPayInvoiceUrl);
            req.Headers.Add("merchant_api_key", Environment.GetEnvironmentVariable("OXAPAY_MERCHANT_API_KEY"));
            req.Content = JsonContent.Create(new { amount = order.Amount, order_id = order.Id, callback_url = _callback });
            var res = await _http.SendAsync(req);
            return (await res.Content.ReadFromJsonAsync<OxaPayResponse>())!.Data.TrackId;
        }
""", """
        public static string CryptomusSign(string json, string apiKey)
        {
            var b64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
            return Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(b64 + apiKey))).ToLowerInvariant();
        }
        // POST https://api.cryptomus.com/v1/payment with headers merchant + sign
"""),
    "rb": ("""
  OXAPAY_INVOICE = "https://api.oxapay.com/v1/payment/invoice"

  def create_oxapay_invoice
    res = Faraday.post(OXAPAY_INVOICE, { amount: amount.to_f, order_id: id, callback_url: CALLBACK }.to_json,
                       "Content-Type" => "application/json", "merchant_api_key" => ENV["OXAPAY_MERCHANT_API_KEY"])
    update!(oxapay_track_id: JSON.parse(res.body).dig("data", "track_id"))
  end
""", """
  def cryptomus_headers(body)
    sign = Digest::MD5.hexdigest(Base64.strict_encode64(body) + ENV["CRYPTOMUS_PAYMENT_KEY"])
    { "merchant" => ENV["CRYPTOMUS_MERCHANT"], "sign" => sign } # https://api.cryptomus.com/v1/payment
  end
"""),
    "rs": ("""
const OXAPAY_INVOICE: &str = "https://api.oxapay.com/v1/payment/invoice";

pub async fn create_oxapay_invoice(http: &reqwest::Client, order: &Order) -> Result<String> {
    let key = std::env::var("OXAPAY_MERCHANT_API_KEY")?;
    let res: serde_json::Value = http.post(OXAPAY_INVOICE).header("merchant_api_key", key)
        .json(&serde_json::json!({"amount": order.amount, "order_id": order.order_id}))
        .send().await?.json().await?;
    Ok(res["data"]["track_id"].as_str().unwrap_or_default().to_owned())
}
""", """
pub fn cryptomus_sign(body: &[u8], key: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(body);
    format!("{:x}", md5::compute(format!("{b64}{key}"))) // for https://api.cryptomus.com/v1/payment
}
"""),
    "json": ("""  {"order_id": "ord_legacy_1", "provider": "oxapay", "trackId": "18273645", "amount": "25.00", "status": "Paid", "payLink": "https://pay.oxapay.com/18273645"},
""", """  {"order_id": "ord_legacy_2", "provider": "cryptomus", "uuid": "26e7f3a1-0f7d-4c51-9a6e-1c6c1d2f8a10", "url_callback": "https://shop.example.com/hooks/cryptomus", "status": "paid"},
"""),
    "yaml": ("""---
oxapay:
  base_url: https://api.oxapay.com/v1
  merchant_api_key: ${OXAPAY_MERCHANT_API_KEY}
  callback_url: https://shop.example.com/hooks/oxapay
""", """---
cryptomus:
  merchant: ${CRYPTOMUS_MERCHANT_ID}
  payment_key: ${CRYPTOMUS_PAYMENT_KEY}
  url_callback: https://shop.example.com/hooks/cryptomus
"""),
}

# ---------------------------------------------------------------------------------------------
# Special files.
# ---------------------------------------------------------------------------------------------


def npm_name(r):
    a = r.choice(GENERIC_WORDS)
    b = r.choice(GENERIC_WORDS + ["js", "core", "utils", "lite", "plus", "kit"])
    if r.random() < 0.25:
        return f"@{r.choice(GENERIC_WORDS)}/{a}-{b}"
    return f"{a}-{b}"


def package_lock(r, target):
    parts = ['{\n  "name": "shop-web",\n  "version": "3.14.0",\n  "lockfileVersion": 3,\n'
             '  "requires": true,\n  "packages": {\n'
             '    "": {\n      "name": "shop-web",\n      "version": "3.14.0"\n    },\n']
    size = sum(map(len, parts))
    seen = set()
    while size < target:
        name = npm_name(r)
        path = f"node_modules/{name}"
        if path in seen:
            path = f"node_modules/{npm_name(r)}/node_modules/{name}"
            if path in seen:
                continue
        seen.add(path)
        ver = f"{r.randint(0, 12)}.{r.randint(0, 40)}.{r.randint(0, 20)}"
        base = name.rsplit("/", 1)[-1]
        integrity = base64.b64encode(r.randbytes(64)).decode()
        deps = ""
        if r.random() < 0.4:
            ds = ",\n".join(f'        "{npm_name(r)}": "^{r.randint(0, 9)}.{r.randint(0, 9)}.0"'
                            for _ in range(r.randint(1, 4)))
            deps = f',\n      "dependencies": {{\n{ds}\n      }}'
        entry = (f'    "{path}": {{\n      "version": "{ver}",\n'
                 f'      "resolved": "https://registry.npmjs.org/{name}/-/{base}-{ver}.tgz",\n'
                 f'      "integrity": "sha512-{integrity}",\n'
                 f'      "license": "{r.choice(("MIT", "ISC", "Apache-2.0", "BSD-3-Clause"))}"'
                 f'{deps}\n    }},\n')
        parts.append(entry)
        size += len(entry)
    parts[-1] = parts[-1].rstrip(",\n") + "\n"
    parts.append("  }\n}\n")
    return "".join(parts)


def minified_bundle(r, v, target):
    """One long line per module, like a production webpack bundle (lines of 100-400 KB)."""
    out, size = [], 0
    line = ["!function(e){"]
    line_len = 0
    limit = r.randint(100 * KB, 400 * KB)
    while size < target:
        frag = (f'var {r.choice("abcdefghijklmnopqrstuvwxyz")}{r.randint(0, 99)}=function(t,n){{return '
                f't.status==="{r.choice(STATUSES)}"&&t.amount>{num(r)}?{{order_id:t.order_id,'
                f'address:t.address,sign:n("{hexs(r, 8)}"),merchant:"{r.choice(v.camel)}",'
                f'paid:!0}}:{{status:"pending",fee:t.amount*.0{r.randint(1, 9)}}}}};')
        line.append(frag)
        line_len += len(frag)
        size += len(frag)
        if line_len > limit:
            line.append("}(window);\n")
            out.append("".join(line))
            line, line_len, limit = ["!function(e){"], 0, r.randint(100 * KB, 400 * KB)
    line.append("}(window);\n")
    out.append("".join(line))
    return "".join(out)


def env_file(r, v, provider):
    lines = [
        "APP_ENV=production", "APP_DEBUG=false", f"APP_KEY=base64:{base64.b64encode(r.randbytes(32)).decode()}",
        f"DATABASE_URL=postgres://shop:{hexs(r, 16)}@db.internal:5432/shop",
        "REDIS_URL=redis://cache.internal:6379/0", f"MERCHANT_ID={hexs(r, 12)}",
        f"PAYMENT_SECRET={hexs(r, 40)}", "PAYMENT_CALLBACK_URL=https://shop.example.com/payments/callback",
        f"DEFAULT_CURRENCY={r.choice(CURRENCIES)}", f"ORDER_PENDING_TTL={num(r)}",
        f"{r.choice(v.upper)}={r.choice(STATUSES)}", f"{r.choice(v.upper)}={num(r)}",
    ]
    if provider:
        lines += [f"OXAPAY_MERCHANT_API_KEY={hexs(r, 8).upper()}-{hexs(r, 6).upper()}-{hexs(r, 6).upper()}",
                  "OXAPAY_CALLBACK_URL=https://shop.example.com/hooks/oxapay",
                  f"CRYPTOMUS_MERCHANT_ID={hexs(r, 8)}-{hexs(r, 4)}-{hexs(r, 4)}-{hexs(r, 4)}-{hexs(r, 12)}",
                  f"CRYPTOMUS_PAYMENT_KEY={hexs(r, 64)}"]
    r.shuffle(lines)
    return "\n".join(lines) + "\n"


def binary_blob(r, size):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x04\x00\x00\x00\x03\x00\x08\x06\x00\x00\x00"
    return png + r.randbytes(size - len(png))


# ---------------------------------------------------------------------------------------------
# Tree layout.
# ---------------------------------------------------------------------------------------------


def file_size(r):
    """Mostly small files, a tail of big ones: mean ~50 KB, between 1 KB and ~1 MB."""
    x = r.random()
    if x < 0.85:
        lo, hi = 1 * KB, 64 * KB
    elif x < 0.99:
        lo, hi = 64 * KB, 512 * KB
    else:
        lo, hi = 512 * KB, 1 * MB
    return int(lo * (hi / lo) ** r.random())


def make_dirs(r, roots, n):
    dirs = list(roots)
    while len(dirs) < n:
        parent = r.choice(dirs)
        if parent.count("/") >= 8:
            continue
        dirs.append(f"{parent}/{r.choice(GENERIC_WORDS + PAYMENT_WORDS)}")
    return dirs


class Writer:
    def __init__(self, out):
        self.out = out
        self.files = 0
        self.bytes = 0
        self.made = set()

    def write(self, rel, data, count=True):
        path = os.path.join(self.out, rel)
        d = os.path.dirname(path)
        if d not in self.made:
            os.makedirs(d, exist_ok=True)
            self.made.add(d)
        if isinstance(data, str):
            data = data.encode()
        with open(path, "wb") as fh:
            fh.write(data)
        if count:
            self.files += 1
            self.bytes += len(data)
        return len(data)


def build_source(r, v, lang, size, provider_kind=None):
    ext, _, chunk_fn, file_fn, _ = LANGS[lang]
    chunks, n = [], 0
    while n < size:
        c = chunk_fn(r, v)
        chunks.append(c)
        n += len(c)
    if provider_kind is not None:
        chunks.insert(r.randrange(len(chunks) + 1), PROVIDER[lang][provider_kind])
    return file_fn(r, v, chunks)


def generate(out, size_mb, seed):
    t0 = time.time()
    r = random.Random(seed)
    v = Vocab(r)
    w = Writer(out)
    target = size_mb * MB
    provider_files = []
    # A stub manifest first marks the directory as ours (so a rerun may delete it); the complete
    # one is written last, so a half-written tree is never taken for a finished one.
    w.write(MANIFEST, json.dumps({"generator_version": GENERATOR_VERSION, "complete": False}), count=False)

    # Repository skeleton: a minimal .git so .gitignore applies (ripgrep and the `ignore` crate
    # only honour .gitignore inside a git repository), and the ignore file itself.
    w.write(".git/HEAD", "ref: refs/heads/main\n", count=False)
    w.write(".git/config", "[core]\n\trepositoryformatversion = 0\n\tbare = false\n", count=False)
    os.makedirs(os.path.join(out, ".git/objects"), exist_ok=True)
    os.makedirs(os.path.join(out, ".git/refs/heads"), exist_ok=True)
    w.write(".gitignore", f"node_modules/\n{MANIFEST}\n*.log\n.cache/\n")

    # Ignored node_modules with real-looking files, one of them naming a provider: a tool that
    # fails to honour .gitignore finds it and reads ~2% more bytes.
    nm_target = max(256 * KB, target // 50)
    nm = 0
    while nm < nm_target:
        pkg = npm_name(r)
        for fname in ("index.js", "lib/util.js", "package.json"):
            if fname == "package.json":
                data = json.dumps({"name": pkg, "version": "1.0.0", "main": "index.js"}, indent=2)
            else:
                data = js_file(r, v, [js_chunk(r, v) for _ in range(r.randint(2, 30))])
            nm += w.write(f"node_modules/{pkg}/{fname}", data, count=False)
    w.write("node_modules/@payments/gateway-sdk/index.js",
            "module.exports.base = 'https://api.oxapay.com/v1'; // cryptomus fallback\n", count=False)

    # Fixed special files.
    lock = package_lock(r, max(64 * KB, target // 40))
    w.write("web/package-lock.json", lock)
    w.write("web/package.json", json.dumps({
        "name": "shop-web", "version": "3.14.0", "private": True,
        "dependencies": {npm_name(r): f"^{r.randint(1, 9)}.0.0" for _ in range(30)}}, indent=2) + "\n")
    w.write("shop/public/js/vendor.min.js", minified_bundle(r, v, max(64 * KB, target // 30)))
    w.write("data/generated/orders-export.json",
            json_file(r, v, [json_chunk(r, v) for _ in range(max(100, target // 25 // 400))]))
    w.write("shop/public/img/hero.png", binary_blob(r, 384 * KB))
    envs = ["shop/.env.example", "services/billing/.env", "services/ledger/.env.production",
            "dashboard/.env.local.example", "deploy/.env.staging", "legacy/storefront/.env"]
    provider_env = r.randrange(len(envs))
    for i, p in enumerate(envs):
        w.write(p, env_file(r, v, i == provider_env))
        if i == provider_env:
            provider_files.append(p)
    w.write("README.md", "# Shop monorepo\n\n" + "\n".join(SENTENCES) + "\n")

    # Plan the ordinary source files until the byte budget is spent.
    langs = list(LANGS)
    weights = [LANGS[k][1] for k in langs]
    dirs = {k: make_dirs(r, LANGS[k][4], 25 + LANGS[k][1] * 12) for k in langs}
    plan = []
    budget = target - w.bytes
    while budget > 0:
        lang = r.choices(langs, weights)[0]
        size = min(file_size(r), max(KB, budget))
        plan.append((lang, size))
        budget -= size + 400  # headers and chunk overshoot
    n_provider = max(2, round(len(plan) * 0.001)) - 1  # the .env above is one of them
    provider_idx = set(r.sample(range(len(plan)), n_provider))

    names = set()
    for i, (lang, size) in enumerate(plan):
        ext = LANGS[lang][0]
        while True:
            d = r.choice(dirs[lang])
            if lang in ("py", "rb", "rs", "go"):
                base = r.choice(v.fn_snake)
            elif lang in ("js", "json", "yaml"):
                base = r.choice(v.snake).replace("_", "-")
            elif lang == "ts":
                base = r.choice(v.camel)
            else:
                base = r.choice(v.pascal)
            rel = f"{d}/{base}.{ext}"
            if rel not in names:
                names.add(rel)
                break
        kind = None
        if i in provider_idx:
            kind = len(provider_files) % 2  # alternate OxaPay / Cryptomus
            provider_files.append(rel)
        w.write(rel, build_source(r, v, lang, size, kind))

    manifest = {
        "generator_version": GENERATOR_VERSION,
        "complete": True,
        "seed": seed,
        "size_mb": size_mb,
        "searchable_files": w.files,
        "searchable_bytes": w.bytes,
        "provider_files": sorted(provider_files),
        "ignored": ["node_modules/", MANIFEST],
        "binary_files": ["shop/public/img/hero.png"],
        "seconds": round(time.time() - t0, 2),
    }
    # Written last: its presence means the tree is complete.
    with open(os.path.join(out, MANIFEST), "w") as fh:
        json.dump(manifest, fh, indent=2)
        fh.write("\n")
    return manifest


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="directory to create (must not exist or be empty, "
                                                 "or hold a tree made by this script)")
    ap.add_argument("--size-mb", type=int, default=200, help="searchable bytes, in MiB (default 200)")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--check", action="store_true",
                    help="generate nothing; exit 0 if --out already holds a complete tree made "
                         "with these parameters by this version of the script, 1 otherwise")
    args = ap.parse_args(argv)
    if args.size_mb < 1:
        ap.error("--size-mb must be at least 1")
    out = os.path.abspath(args.out)
    if args.check:
        try:
            with open(os.path.join(out, MANIFEST)) as fh:
                m = json.load(fh)
        except (OSError, ValueError):
            sys.exit(1)
        want = {"generator_version": GENERATOR_VERSION, "complete": True,
                "seed": args.seed, "size_mb": args.size_mb}
        sys.exit(0 if all(m.get(k) == val for k, val in want.items()) else 1)
    if os.path.exists(out) and os.listdir(out):
        if not os.path.exists(os.path.join(out, MANIFEST)):
            sys.exit(f"gen_tree.py: {out} exists, is not empty and was not made by this script")
        shutil.rmtree(out)
    os.makedirs(out, exist_ok=True)
    m = generate(out, args.size_mb, args.seed)
    print(f"gen_tree.py: {m['searchable_files']} files, {m['searchable_bytes'] / MB:.1f} MiB searchable, "
          f"{len(m['provider_files'])} with provider usage, in {m['seconds']} s -> {out}")


if __name__ == "__main__":
    main()

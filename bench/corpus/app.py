# A python2.7 application that uses SQLAlchemy (ORM on an in-memory SQLite), jinja2,
# tornado, requests (a session and prepared requests; no network), PyYAML, dateutil and
# the standard library, so that its heap holds what a real service's heap holds.
# run() returns objects the application keeps alive.
import collections
import datetime
import decimal
import json
import logging
import re
import threading

import dateutil.parser
import dateutil.relativedelta
import dateutil.rrule
import dateutil.tz
import jinja2
import requests
import sqlalchemy
import tornado.escape
import tornado.httputil
import tornado.ioloop
import tornado.web
import yaml
from sqlalchemy.ext.declarative import declarative_base
from sqlalchemy.orm import relationship, sessionmaker

Base = declarative_base()


class Customer(Base):
    __tablename__ = "customers"
    id = sqlalchemy.Column(sqlalchemy.Integer, primary_key=True)
    name = sqlalchemy.Column(sqlalchemy.String(80), nullable=False)
    email = sqlalchemy.Column(sqlalchemy.String(120), unique=True)
    created = sqlalchemy.Column(sqlalchemy.DateTime)
    balance = sqlalchemy.Column(sqlalchemy.Numeric(10, 2))
    orders = relationship("Order", back_populates="customer")


class Order(Base):
    __tablename__ = "orders"
    id = sqlalchemy.Column(sqlalchemy.Integer, primary_key=True)
    customer_id = sqlalchemy.Column(sqlalchemy.Integer, sqlalchemy.ForeignKey("customers.id"))
    total = sqlalchemy.Column(sqlalchemy.Float)
    status = sqlalchemy.Column(sqlalchemy.String(20))
    customer = relationship("Customer", back_populates="orders")


TEMPLATE = u"""<h1>{{ title }}</h1>
<ul>{% for customer in customers %}
  <li class="{{ loop.cycle('odd', 'even') }}">{{ customer.name|e }} &lt;{{ customer.email }}&gt;
    {{ customer.orders|length }} orders, {{ '%.2f'|format(customer.balance) }}</li>
{% endfor %}</ul>"""

CONFIG = """
service:
  name: billing
  workers: 4
  timeouts: {connect: 1.5, read: 30}
  tags: [alpha, beta, "gamma delta"]
  started: 2020-01-02 03:04:05
database:
  url: sqlite://
  echo: false
"""


class HealthHandler(tornado.web.RequestHandler):
    def get(self):
        self.write({"status": "ok"})


class CustomerHandler(tornado.web.RequestHandler):
    def initialize(self, session_factory):
        self.session_factory = session_factory

    def get(self, customer_id):
        self.write({"id": customer_id})


def run():
    logging.basicConfig(level=logging.WARNING)
    log = logging.getLogger("billing")
    config = yaml.safe_load(CONFIG)
    engine = sqlalchemy.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    Session = sessionmaker(bind=engine)
    session = Session()
    start = dateutil.parser.parse("2020-03-04T05:06:07+01:00")
    for i in range(40):
        customer = Customer(name=u"Customer %d \u00e9" % i, email="c%d@example.com" % i,
                            created=(start + dateutil.relativedelta.relativedelta(days=i)
                                     ).replace(tzinfo=None),
                            balance=decimal.Decimal("%d.%02d" % (i * 13, i)))
        for j in range(i % 4):
            customer.orders.append(Order(total=i * 1.25 + j, status=("new", "paid", "sent")[j % 3]))
        session.add(customer)
    session.commit()
    customers = session.query(Customer).filter(Customer.balance > 10).order_by(Customer.id).all()
    totals = session.query(Order.status, sqlalchemy.func.sum(Order.total)).group_by(Order.status).all()
    environment = jinja2.Environment(autoescape=True, loader=jinja2.DictLoader({"page.html": TEMPLATE}))
    page = environment.get_template("page.html").render(title="Customers", customers=customers[:10])
    application = tornado.web.Application([
        (r"/health", HealthHandler),
        (r"/customers/(\d+)", CustomerHandler, {"session_factory": Session}),
    ], cookie_secret="secret", debug=False)
    headers = tornado.httputil.HTTPHeaders({"Content-Type": "text/html", "X-Request-Id": "abc"})
    http = requests.Session()
    http.headers.update({"User-Agent": "billing/1.0"})
    prepared = [http.prepare_request(requests.Request("POST", "http://api.example.com/v1/items/%d" % i,
                                                      json={"id": i, "tags": ["x", "y"]},
                                                      params={"page": i}))
                for i in range(5)]
    rule = dateutil.rrule.rrule(dateutil.rrule.WEEKLY, count=10, dtstart=datetime.datetime(2020, 1, 1))
    schedule = list(rule)
    zones = [dateutil.tz.tzutc(), dateutil.tz.tzoffset("CET", 3600), dateutil.tz.gettz("UTC")]
    stats = collections.Counter(order.status for customer in customers for order in customer.orders)
    recent = collections.deque((c.email for c in customers), maxlen=16)
    index = collections.OrderedDict((c.email, c.id) for c in customers)
    by_status = collections.defaultdict(list)
    for customer in customers:
        for order in customer.orders:
            by_status[order.status].append(order.id)
    payload = json.loads(json.dumps({"customers": [{"id": c.id, "name": c.name} for c in customers]}))
    pattern = re.compile(r"(?P<user>[\w.]+)@(?P<host>[\w.]+)")
    matches = [pattern.match(c.email) for c in customers]
    lock = threading.Lock()
    escaped = [tornado.escape.xhtml_escape(c.name) for c in customers]
    log.debug("ready")
    return [config, engine, session, customers, totals, environment, page, application, headers,
            http, prepared, schedule, zones, stats, recent, index, by_status, payload, matches,
            lock, escaped, tornado.ioloop.IOLoop.current()]

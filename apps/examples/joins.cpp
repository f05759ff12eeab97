#include <string>
#include <vector>

#include "dataflow/actors/local_environment.hpp"

struct order {
  std::string user;
  std::string item;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(user, item);
  }
};

struct click {
  std::string user;
  std::string page;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(user, page);
  }
};

int main() {
  using namespace dataflow;
  const duration_ms s = 1000;

  local_environment env;
  std::vector<record<order>> orders = {
      {{"ann", "book"}, 100 * s}, {{"bob", "lamp"}, 130 * s}, {{"ann", "pen"}, 200 * s}};
  std::vector<record<click>> clicks = {{{"ann", "/books"}, 40 * s},
                                       {{"ann", "/pens"}, 95 * s},
                                       {{"bob", "/lamps"}, 130 * s},
                                       {{"ann", "/books"}, 160 * s},
                                       {{"ann", "/pens"}, 199 * s}};
  const auto ws = watermark_strategy::bounded_out_of_orderness(5 * s);
  auto order_stream = env.from_collection(orders, ws, "orders");
  auto click_stream = env.from_collection(clicks, ws, "clicks");
  auto by_user = [](const auto& e) { return e.user; };

  // Interval join: each order with the same user's clicks in the minute up to it,
  // click.ts in [order.ts - 60 s, order.ts]. Results carry the later timestamp.
  order_stream.key_by(by_user)
      .interval_join(click_stream.key_by(by_user))
      .between(-60 * s, 0)
      .process<std::string>(
          [](const order& o, const click& c, const join_context& ctx, collector<std::string>& out) {
            out.collect(o.user + " bought a " + o.item + ", " +
                        std::to_string((ctx.left_ts - ctx.right_ts) / s) + " s after " + c.page);
          })
      .print("interval");

  // Window join: orders and clicks of the same user in the same minute. Results carry the
  // window's last millisecond.
  order_stream.join(click_stream)
      .where(by_user)
      .equal_to(by_user)
      .window(tumbling_windows(60 * s))
      .apply<std::string>(
          [](const order& o, const click& c) { return o.user + ": " + o.item + " and " + c.page; })
      .print("window");

  return env.execute() ? 0 : 1;
}

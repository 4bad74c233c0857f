# Writes the two synthetic tables of this directory, churn.csv and
# energy.csv, deterministically (numpy seed 7). Run: python3 synthetic.py
#
# churn.csv: 400 customers; plan and region are text (categorical), some
# support_calls cells are "NA" and some satisfaction cells "?" (missing);
# churned ("yes"/"no") follows a logistic model of the other columns.
#
# energy.csv: 500 buildings; orientation is text; heating_load and
# cooling_load (two targets) are smooth functions of the other columns plus
# noise, in the manner of the UCI energy-efficiency data.
import numpy as np

rng = np.random.default_rng(7)

n = 400
plans = rng.choice(["basic", "standard", "premium"], n, p=[0.5, 0.3, 0.2])
regions = rng.choice(["north", "south", "east", "west"], n)
fee = np.round(np.select([plans == "basic", plans == "standard"], [20.0, 45.0], 80.0) + rng.normal(0, 5, n), 2)
tenure = rng.integers(1, 72, n)
calls = rng.poisson(2, n)
sat = np.clip(np.round(rng.normal(3.5, 1, n)), 1, 5)
z = -1.0 + 0.45 * calls - 0.04 * tenure - 0.8 * (sat - 3) + 0.02 * (fee - 40) + 0.6 * (regions == "south")
churn = np.where(rng.random(n) < 1 / (1 + np.exp(-z)), "yes", "no")
with open("churn.csv", "w") as f:
    f.write("plan,region,monthly_fee,tenure_months,support_calls,satisfaction,churned\n")
    for i in range(n):
        c = "NA" if rng.random() < 0.06 else str(calls[i])
        s = "?" if rng.random() < 0.05 else str(int(sat[i]))
        f.write(f"{plans[i]},{regions[i]},{fee[i]},{tenure[i]},{c},{s},{churn[i]}\n")

n = 500
wall = np.round(rng.uniform(240, 420, n), 1)
roof = np.round(rng.uniform(110, 230, n), 1)
height = rng.choice([3.5, 7.0], n)
glazing = np.round(rng.choice([0.0, 0.1, 0.25, 0.4], n), 2)
orient = rng.choice(["north", "east", "south", "west"], n)
sun = np.select([orient == "south", orient == "north"], [1.0, -1.0], 0.0)
heat = 0.045 * wall - 0.03 * roof + 2.2 * height + 22 * glazing - 0.8 * sun + rng.normal(0, 1.0, n)
cool = 0.035 * wall - 0.02 * roof + 1.9 * height + 14 * glazing + 1.6 * sun + 0.05 * heat ** 1.2 + rng.normal(0, 1.2, n)
with open("energy.csv", "w") as f:
    f.write("wall_area,roof_area,height,glazing_area,orientation,heating_load,cooling_load\n")
    for i in range(n):
        f.write(f"{wall[i]},{roof[i]},{height[i]},{glazing[i]},{orient[i]},{heat[i]:.2f},{cool[i]:.2f}\n")
